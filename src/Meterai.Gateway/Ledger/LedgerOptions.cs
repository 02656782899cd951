namespace Meterai.Gateway.Ledger;

/// <summary>Bound from the <c>Ledger</c> section; the connection string is <c>ConnectionStrings:Ledger</c>.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary><c>sqlite</c> or <c>postgres</c>. Default: <c>sqlite</c>.</summary>
    public string Provider { get; set; } = LedgerProviders.Sqlite;
}
