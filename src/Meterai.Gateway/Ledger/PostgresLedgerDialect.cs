using System.Data.Common;
using Npgsql;
using Quartz;

namespace Meterai.Gateway.Ledger;

internal sealed class PostgresLedgerDialect : ILedgerDialect
{
    public string Name => LedgerProviders.Postgres;

    public string DefaultConnectionString => "Host=127.0.0.1;Database=meterai;Username=meterai";

    // Npgsql prepares a statement on the server once it has run a few times on a connection, so
    // the purchase path's statements are parsed once per pooled connection, not once per purchase.
    // An operator's own Max Auto Prepare wins.
    private (string Given, string Used) _prepared = ("", "");

    public DbConnection CreateConnection(string connectionString)
    {
        var prepared = _prepared;
        if (!ReferenceEquals(prepared.Given, connectionString))
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (builder.MaxAutoPrepare == 0)
            {
                builder.MaxAutoPrepare = 64;
                builder.AutoPrepareMinUsages = 2;
            }

            _prepared = prepared = (connectionString, builder.ConnectionString);
        }

        return new NpgsqlConnection(prepared.Used);
    }

    public bool SingleWriter => false;

    public string? OnOpenSql => null;

    // A commit returns once its WAL record is flushed (synchronous_commit on), and many run at once.
    public ICommitFlush? CommitFlush(string connectionString) => null;

    public ILedgerDialect Configure(LedgerOptions options) => this;

    public string? PrepareSql => null;

    // Transaction-scoped, so it is released by the commit even if this gateway then dies.
    public string? MigrationLockSql => "SELECT pg_advisory_xact_lock(727400001);";

    public bool Shareable => true;

    public bool UsesSockets => true;

    public string? SingleGatewayLockPath(string connectionString) => null;

    public void UseForQuartz(IPersistentStoreBuilder store, string connectionString) => store.UsePostgres(connectionString);
}
