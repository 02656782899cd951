namespace Meterai.Gateway.Ledger;

/// <summary>
/// Makes the group commit's transactions durable after they committed, for a database whose
/// commit can return before it is durable: the writer then commits without waiting for the disk,
/// and one flush, outside the write lock, covers every transaction committed before it began.
/// </summary>
/// <remarks>
/// A write's caller is answered only after a flush that began after its commit returned, so a claim
/// is exactly as durable before its order leaves as with a sync inside every commit. What changes is
/// that the writer executes the next batch while the disk syncs the last one.
/// </remarks>
internal interface ICommitFlush
{
    /// <summary>Run on the group-commit writer's own connections, after the dialect's open SQL: lets their commits return before the disk sync.</summary>
    string WriterOnOpenSql { get; }

    /// <summary>Blocks until every transaction committed before the call is on disk.</summary>
    /// <exception cref="IOException">The disk did not confirm; what was committed may not survive a power loss.</exception>
    void Flush();
}
