using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Meterai.Gateway.Ledger;

internal sealed class SqliteLedgerDialect : ILedgerDialect
{
    public string Name => LedgerProviders.Sqlite;

    public string DefaultConnectionString => "Data Source=meterai-ledger.db;Pooling=True;Default Timeout=30";

    public DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public bool SingleWriter => true;

    // WAL with synchronous=NORMAL survives a process crash (every commit is in the WAL before it
    // returns) and only risks the last commits on power loss; FULL would fsync every purchase.
    public string? OnOpenSql => "PRAGMA synchronous=NORMAL;";

    // journal_mode is persistent in the file and cannot change inside a transaction.
    public string? PrepareSql => "PRAGMA journal_mode=WAL;";

    // SQLite's migration transaction is BEGIN IMMEDIATE, which already excludes other writers.
    public string? MigrationLockSql => null;
}
