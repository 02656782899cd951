namespace Meterai.Gateway.Ledger;

/// <summary>Bound from the <c>Ledger</c> section; the connection string is <c>ConnectionStrings:Ledger</c>.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary><c>sqlite</c> or <c>postgres</c>. Default: <c>sqlite</c>.</summary>
    public string Provider { get; set; } = LedgerProviders.Sqlite;

    /// <summary>
    /// SQLite's <c>synchronous</c> setting, <c>FULL</c> or <c>NORMAL</c>: FULL keeps the claim and
    /// the attempt record through a power loss; NORMAL exists to measure what that costs
    /// (bench/durability.sh). Ignored by PostgreSQL. Default: <c>FULL</c>.
    /// </summary>
    public string SqliteSynchronous { get; set; } = SqliteSynchronousModes.Full;

    /// <summary>The start-up line for an unknown provider; the value is not echoed (a connection string pasted into the wrong key).</summary>
    internal const string ProviderRange = "Ledger:Provider must be one of: sqlite, postgres.";

    internal const string SqliteSynchronousRange = "Ledger:SqliteSynchronous must be one of: FULL, NORMAL.";

    internal static bool IsKnownProvider(string? provider) => provider is LedgerProviders.Sqlite or LedgerProviders.Postgres;

    internal static bool IsKnownSynchronous(string? mode) =>
        string.Equals(mode, SqliteSynchronousModes.Full, StringComparison.OrdinalIgnoreCase)
        || string.Equals(mode, SqliteSynchronousModes.Normal, StringComparison.OrdinalIgnoreCase);

    /// <summary>Why these options cannot be used (the first key at fault), or null.</summary>
    internal string? Problem() =>
        !IsKnownProvider(Provider) ? ProviderRange : !IsKnownSynchronous(SqliteSynchronous) ? SqliteSynchronousRange : null;
}

/// <summary>The values of <c>Ledger:SqliteSynchronous</c>.</summary>
public static class SqliteSynchronousModes
{
    public const string Full = "FULL";
    public const string Normal = "NORMAL";
}
