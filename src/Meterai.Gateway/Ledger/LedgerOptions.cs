namespace Meterai.Gateway.Ledger;

/// <summary>Bound from the <c>Ledger</c> section; the connection string is <c>ConnectionStrings:Ledger</c>.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary><c>sqlite</c> or <c>postgres</c>. Default: <c>sqlite</c>.</summary>
    public string Provider { get; set; } = LedgerProviders.Sqlite;

    /// <summary>The start-up line for an unknown provider; the value is not echoed (a connection string pasted into the wrong key).</summary>
    internal const string ProviderRange = "Ledger:Provider must be one of: sqlite, postgres.";

    internal static bool IsKnownProvider(string? provider) => provider is LedgerProviders.Sqlite or LedgerProviders.Postgres;
}
