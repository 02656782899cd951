using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Ledger;

/// <summary>Bound from the <c>Ledger</c> section; the connection string is <c>ConnectionStrings:Ledger</c>.</summary>
internal sealed class LedgerOptions
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

    /// <summary>
    /// Group-commit writers, each with a connection of its own, on a database with many writers
    /// (PostgreSQL); SQLite has one writer whatever this says. Default: 4.
    /// </summary>
    [Range(1, 64)]
    public int WriterConnections { get; set; } = 4;

    /// <summary>Idempotency-Keys each of KnownKeys' two in-memory filters remembers (about 1.2 bytes a key). Default: 1000000.</summary>
    [Range(1_000, 50_000_000)]
    public int KnownKeysCapacity { get; set; } = 1_000_000;

    /// <summary>On a shared ledger, how often the keys other gateways claimed are added to KnownKeys. Default: 2 seconds.</summary>
    [Range(0.1, 3600)]
    public double KnownKeysRefreshSeconds { get; set; } = 2;

    /// <summary>Most purchase writes committed in one group transaction. Default: 256.</summary>
    [Range(1, 10_000)]
    public int MaxBatch { get; set; } = 256;

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
internal static class SqliteSynchronousModes
{
    public const string Full = "FULL";
    public const string Normal = "NORMAL";
}
