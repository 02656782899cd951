namespace Meterai.Gateway.Ledger;

/// <summary>
/// SQLite in WAL mode: the writer's connections commit with <c>synchronous=NORMAL</c> (the frames
/// are written to the WAL, not synced), and this fsyncs the WAL file, which is what FULL does inside
/// every commit (https://sqlite.org/pragma.html#pragma_synchronous).
/// </summary>
/// <remarks>
/// The WAL is opened anew for every flush: SQLite deletes and recreates it when the last
/// connection closes, and a handle kept open would go on syncing the deleted file. A WAL that is not
/// there has been checkpointed into the database, and a checkpoint syncs the database before
/// the WAL can go. SQLite keeps its locks on the database and <c>-shm</c> files, never on the WAL,
/// so opening and closing it here releases none of them.
/// </remarks>
internal sealed class SqliteWalFlush(string walPath) : ICommitFlush
{
    public string WriterOnOpenSql => "PRAGMA synchronous=NORMAL;";

    public void Flush()
    {
        FileStream wal;
        try
        {
            wal = new FileStream(walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        using (wal)
        {
            wal.Flush(flushToDisk: true);
        }
    }
}
