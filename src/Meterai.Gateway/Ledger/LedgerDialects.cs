namespace Meterai.Gateway.Ledger;

/// <summary>The one place that turns <c>Ledger:Provider</c> and <c>ConnectionStrings:Ledger</c> into a dialect and a connection string.</summary>
internal static class LedgerDialects
{
    /// <summary>Every provider the ledger supports, by its <c>Ledger:Provider</c> name.</summary>
    internal static IReadOnlyList<ILedgerDialect> All { get; } = [new SqliteLedgerDialect(), new PostgresLedgerDialect()];

    /// <summary>
    /// Read from configuration rather than the container, because Quartz's store is declared before
    /// the container exists; an unknown provider resolves to null and fails options validation.
    /// </summary>
    public static (ILedgerDialect? Dialect, string ConnectionString) Resolve(IConfiguration configuration)
    {
        var options = configuration.GetSection(LedgerOptions.Section).Get<LedgerOptions>() ?? new LedgerOptions();
        var dialect = All.SingleOrDefault(d => d.Name == options.Provider)?.Configure(options);
        var connectionString = configuration.GetConnectionString("Ledger");
        return (dialect, string.IsNullOrWhiteSpace(connectionString) ? dialect?.DefaultConnectionString ?? "" : connectionString);
    }
}
