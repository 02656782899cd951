using System.Data.Common;
using System.Threading.Channels;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// Group commit for the purchase path: writer loops that each own one long-lived connection and
/// commit the writes of many purchases in one transaction.
/// </summary>
/// <remarks>
/// A caller's task completes only after the transaction holding its write has committed and, for a
/// <see cref="WriteDurability.Durable"/> write, is on disk, so a claim is as durable before its order
/// leaves as it was with a transaction of its own; what is shared is the commit and its sync (on
/// SQLite, one fsync of the WAL for every batch committed before it, outside the write lock: see
/// <see cref="ICommitFlush"/>). Each write keeps its own statements in order. A batch that fails is rolled back
/// and its writes are run again one transaction each, so one failing write fails alone and the
/// others are not lost. Writes must therefore only depend on what the database holds: a write
/// that is run again after a rollback decides again from the same rows.
/// </remarks>
internal sealed partial class LedgerWriter : IAsyncDisposable
{
    private readonly Channel<WriteJob> _jobs = Channel.CreateUnbounded<WriteJob>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly LedgerDatabase _database;
    private readonly int _maxBatch;
    private readonly Task[] _loops;
    private readonly ILogger _logger;
    private readonly ICommitFlush? _flush;
    private readonly Flusher? _flusher;
    private long _commits;
    private long _committedWrites;

    internal LedgerWriter(LedgerDatabase database, int writers, int maxBatch, ILogger logger)
    {
        _database = database;
        _logger = logger;
        _maxBatch = maxBatch;
        _flush = database.Dialect.CommitFlush(database.ConnectionString);
        _flusher = _flush is null ? null : new Flusher(_flush, logger);
        _loops = new Task[writers];
        for (var i = 0; i < writers; i++)
        {
            _loops[i] = Task.Run(RunAsync);
        }
    }

    /// <summary>Runs <paramref name="write"/> in the next group transaction; completes once that transaction committed, and is on disk when <paramref name="durability"/> asks.</summary>
    /// <exception cref="DbException">The write failed alone, in a transaction of its own; nothing of it was committed.</exception>
    /// <exception cref="IOException">Committed, but the disk did not confirm the flush (<see cref="WriteDurability.Durable"/> only).</exception>
    public Task<T> WriteAsync<T>(Func<WriteSession, ValueTask<T>> write, CancellationToken cancellationToken, WriteDurability durability = WriteDurability.Durable)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var job = new WriteJob<T>(write, durability, cancellationToken);
        ObjectDisposedException.ThrowIf(!_jobs.Writer.TryWrite(job), this);
        return job.Task;
    }

    /// <summary>Transactions committed so far; with <see cref="CommittedWrites"/>, the batch size the load reached.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed so far.</summary>
    public long CommittedWrites => Interlocked.Read(ref _committedWrites);

    /// <summary>Flushes outside the write lock so far (<see cref="ICommitFlush"/>); 0 when every commit is durable by itself.</summary>
    public long Flushes => _flusher?.Flushes ?? 0;

    public async ValueTask DisposeAsync()
    {
        _jobs.Writer.TryComplete();
        await Task.WhenAll(_loops);
        _flusher?.Stop();
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteJob>(_maxBatch);
        WriteSession? session = null;
        try
        {
            while (await _jobs.Reader.WaitToReadAsync())
            {
                while (batch.Count < _maxBatch && _jobs.Reader.TryRead(out var job))
                {
                    // A caller that gave up before its write began is not written at all.
                    if (!job.TryCancel())
                    {
                        batch.Add(job);
                    }
                }

                if (batch.Count > 0)
                {
                    session = await CommitAsync(batch, session);
                    batch.Clear();
                }
            }
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <returns>The session to reuse for the next batch, or null when it had to be dropped.</returns>
    private async Task<WriteSession?> CommitAsync(List<WriteJob> batch, WriteSession? session)
    {
        using (await _database.TakeWriteTurnAsync())
        {
            try
            {
                session ??= await OpenSessionAsync();
                await RunInOneTransactionAsync(session, batch);
                Answer(batch);
                return session;
            }
            catch (Exception failure)
            {
                session = await DropAsync(session);
                if (batch.Count == 1)
                {
                    batch[0].Fail(failure);
                    return session;
                }

                LogBatchFailed(_logger, batch.Count, failure.GetType().Name);
            }

            // The batch failed as a whole: one transaction each, so only the failing write fails.
            foreach (var job in batch)
            {
                try
                {
                    session ??= await OpenSessionAsync();
                    await RunInOneTransactionAsync(session, [job]);
                    Answer([job]);
                }
                catch (Exception failure)
                {
                    job.Fail(failure);
                    session = await DropAsync(session);
                }
            }

            return session;
        }
    }

    private async Task RunInOneTransactionAsync(WriteSession session, IReadOnlyList<WriteJob> jobs)
    {
        await session.BeginAsync();
        try
        {
            foreach (var job in jobs)
            {
                await job.RunAsync(session);
            }

            await session.CommitAsync();
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _committedWrites, jobs.Count);
        }
        catch
        {
            foreach (var job in jobs)
            {
                job.Discard();
            }

            throw;
        }
    }

    private Task<WriteSession> OpenSessionAsync() => WriteSession.OpenAsync(_database, _flush?.WriterOnOpenSql);

    /// <summary>Committed: the callers get their results now, or after the flush that puts them on disk.</summary>
    private void Answer(List<WriteJob> jobs)
    {
        if (_flusher is not null)
        {
            _flusher.Committed(jobs);
            return;
        }

        foreach (var job in jobs)
        {
            job.Publish();
        }
    }

    /// <summary>After a failure the connection may be broken or mid-transaction: the next batch opens a fresh one.</summary>
    private static async Task<WriteSession?> DropAsync(WriteSession? session)
    {
        if (session is not null)
        {
            await session.DisposeAsync();
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} ledger writes failed ({Failure}); running them one transaction each")]
    private static partial void LogBatchFailed(ILogger logger, int count, string failure);

    private abstract class WriteJob(WriteDurability durability)
    {
        public WriteDurability Durability { get; } = durability;

        public abstract ValueTask RunAsync(WriteSession session);

        /// <summary>The transaction committed: the caller gets the write's result.</summary>
        public abstract void Publish();

        /// <summary>The transaction rolled back: the result computed inside it means nothing.</summary>
        public abstract void Discard();

        public abstract void Fail(Exception failure);

        public abstract bool TryCancel();
    }

    private sealed class WriteJob<T>(Func<WriteSession, ValueTask<T>> write, WriteDurability durability, CancellationToken cancellationToken) : WriteJob(durability)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override async ValueTask RunAsync(WriteSession session) => _result = await write(session);

        public override void Publish() => _completion.TrySetResult(_result!);

        public override void Discard() => _result = default;

        public override void Fail(Exception failure) => _completion.TrySetException(failure);

        public override bool TryCancel() => cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);
    }
}

/// <summary>When a group-commit write's caller is answered, on a database whose commit returns before it is on disk (<see cref="ICommitFlush"/>).</summary>
internal enum WriteDurability
{
    /// <summary>Once on disk: a write that must survive a power loss before the gateway acts on it (a claim, an attempt about to be sent).</summary>
    Durable,

    /// <summary>
    /// Once committed, and on disk within the next flush, which follows at once: a write that a
    /// process crash cannot lose and that reconciliation rebuilds should a power loss take it
    /// (an answer, a refused attempt, a released key: the row stays in_progress with its attempt).
    /// </summary>
    Committed,
}
