using System.Data.Common;
using Npgsql;
using Quartz;

namespace Meterai.Gateway.Ledger;

internal sealed class PostgresLedgerDialect : ILedgerDialect
{
    public string Name => LedgerProviders.Postgres;

    public string DefaultConnectionString => "Host=127.0.0.1;Database=meterai;Username=meterai";

    public DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public bool SingleWriter => false;

    public string? OnOpenSql => null;

    public ILedgerDialect Configure(LedgerOptions options) => this;

    public string? PrepareSql => null;

    // Transaction-scoped, so it is released by the commit even if this gateway then dies.
    public string? MigrationLockSql => "SELECT pg_advisory_xact_lock(727400001);";

    public bool Shareable => true;

    public string? SingleGatewayLockPath(string connectionString) => null;

    public void UseForQuartz(IPersistentStoreBuilder store, string connectionString) => store.UsePostgres(connectionString);
}
