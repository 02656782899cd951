using Meterai.Gateway.Ledger;
using Quartz;

namespace Meterai.Gateway.Scheduling;

/// <summary>
/// Puts Quartz's persistent store in the ledger's own database: the one place that maps a
/// <c>Ledger:Provider</c> to a Quartz store, so adding a provider means adding one case here.
/// </summary>
internal static class QuartzStore
{
    /// <summary>The ledger's provider and connection string, resolved as the ledger resolves them.</summary>
    public static (string Provider, string ConnectionString) LedgerConnection(IConfiguration configuration)
    {
        var provider = configuration.GetSection(LedgerOptions.Section).Get<LedgerOptions>()?.Provider ?? LedgerProviders.Sqlite;
        var connectionString = configuration.GetConnectionString("Ledger");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            ILedgerDialect? dialect = provider switch
            {
                LedgerProviders.Sqlite => new SqliteLedgerDialect(),
                LedgerProviders.Postgres => new PostgresLedgerDialect(),
                _ => null,
            };
            connectionString = dialect?.DefaultConnectionString ?? "";
        }

        return (provider, connectionString);
    }

    public static void Configure(IPersistentStoreBuilder store, string provider, string connectionString)
    {
        switch (provider)
        {
            case LedgerProviders.Sqlite:
                // Same file, same connection string, so Quartz's QRTZ_ tables sit beside the ledger's.
                // The ledger's migrator has already made the file WAL (persistent in the file) before
                // Quartz starts, and Microsoft.Data.Sqlite's busy retry (Default Timeout) makes the
                // ledger and Quartz wait for each other's short write transactions rather than fail.
                // Unclustered on purpose: a SQLite ledger is one gateway's file. Quartz then picks its
                // SQLite lock handler, one in-process gate for its own work, since SQLite has one writer.
                store.UseSqlite(connectionString);
                break;
            case LedgerProviders.Postgres:
                // Clustering (several gateways on one ledger) comes with the PostgreSQL issue.
                store.UsePostgres(connectionString);
                break;
            default:
                throw new InvalidOperationException($"Ledger:Provider must be 'sqlite' or 'postgres'; the scheduler's store has no mapping for '{provider}'.");
        }

        // Quartz owns its schema, as the ledger owns its own: created when missing, never altered.
        store.ProvisionSchema();
        store.UseSystemTextJsonSerializer();
    }
}
