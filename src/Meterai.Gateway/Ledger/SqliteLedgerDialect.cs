using System.Data.Common;
using Microsoft.Data.Sqlite;
using Quartz;

namespace Meterai.Gateway.Ledger;

/// <param name="synchronous">SQLite's <c>synchronous</c> mode (<see cref="SqliteSynchronousModes"/>).</param>
internal sealed class SqliteLedgerDialect(string synchronous = SqliteSynchronousModes.Full) : ILedgerDialect
{
    /// <summary>
    /// How long SQLite itself waits for another connection's write lock (Quartz's, on the same file)
    /// before answering busy: its handler retries within milliseconds, where Microsoft.Data.Sqlite's
    /// own retry on busy sleeps 150 ms a time, which showed as 120–160 ms stalls of every purchase.
    /// </summary>
    private const int BusyTimeoutMilliseconds = 30_000;

    private readonly string _onOpenSql = $"PRAGMA synchronous={(string.Equals(synchronous, SqliteSynchronousModes.Normal, StringComparison.OrdinalIgnoreCase) ? SqliteSynchronousModes.Normal : SqliteSynchronousModes.Full)}; PRAGMA busy_timeout={BusyTimeoutMilliseconds};";

    public string Name => LedgerProviders.Sqlite;

    public string DefaultConnectionString => "Data Source=meterai-ledger.db;Pooling=True;Default Timeout=30";

    public DbConnection CreateConnection(string connectionString)
    {
        NativeHeap.KeepFreedMemory();
        return new SqliteConnection(connectionString);
    }

    public bool SingleWriter => true;

    // The claim and the attempt record precede a charge, so they must survive a power loss, not
    // only a process crash: FULL fsyncs the WAL on every commit (NORMAL only to measure its cost,
    // Ledger:SqliteSynchronous). synchronous is a per-connection
    // setting SQLite does not keep in the file; the pooled connection keeps it once set, and setting
    // it again on reuse is a no-op without I/O, so it costs microseconds, not a sync.
    public string? OnOpenSql => _onOpenSql;

    // FULL syncs the WAL inside every commit, holding the one write lock for the disk's time; the
    // group commit syncs it outside instead, with the same guarantee (SqliteWalFlush). NORMAL syncs
    // nothing on commit, and a database in memory has no file.
    public ICommitFlush? CommitFlush(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return synchronous.Equals(SqliteSynchronousModes.Normal, StringComparison.OrdinalIgnoreCase) || builder.Mode == SqliteOpenMode.Memory
            || builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || DatabaseFile(builder) is not { } file
            ? null
            : new SqliteWalFlush(file + "-wal");
    }

    public ILedgerDialect Configure(LedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SqliteLedgerDialect(options.SqliteSynchronous);
    }

    // journal_mode is persistent in the file and cannot change inside a transaction.
    public string? PrepareSql => "PRAGMA journal_mode=WAL;";

    // SQLite's migration transaction is BEGIN IMMEDIATE, which already excludes other writers.
    public string? MigrationLockSql => null;

    // One writer, one file on one machine: see SingleGatewayLock.
    public bool Shareable => false;

    public bool UsesSockets => false;

    public string? SingleGatewayLockPath(string connectionString)
    {
        return DatabaseFile(new SqliteConnectionStringBuilder(connectionString)) is { } file ? file + ".gateway-lock" : null;
    }

    /// <summary>The full path of the database file a connection string names; null when it names none (<c>:memory:</c>, empty).</summary>
    private static string? DatabaseFile(SqliteConnectionStringBuilder builder) =>
        string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" ? null : Path.GetFullPath(builder.DataSource);

    // Same file, same connection string, so Quartz's QRTZ_ tables sit beside the ledger's. The
    // ledger's migrator has already made the file WAL (persistent in the file) before Quartz
    // starts, and Microsoft.Data.Sqlite's busy retry (Default Timeout) makes the ledger and Quartz
    // wait for each other's short write transactions rather than fail. Quartz then picks its
    // SQLite lock handler, one in-process gate for its own work, since SQLite has one writer.
    public void UseForQuartz(IPersistentStoreBuilder store, string connectionString) => store.UseSqlite(connectionString);
}
