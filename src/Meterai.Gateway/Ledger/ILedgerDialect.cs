using System.Data.Common;
using Quartz;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// Everything that differs between the ledger's databases. The ledger's SQL is otherwise
/// portable (ON CONFLICT, partial indexes, integer epoch-millisecond timestamps), so purchase
/// logic never asks which database it runs on.
/// </summary>
internal interface ILedgerDialect
{
    /// <summary>The <c>Ledger:Provider</c> value that selects this dialect.</summary>
    string Name { get; }

    /// <summary>Used when <c>ConnectionStrings:Ledger</c> is not set.</summary>
    string DefaultConnectionString { get; }

    DbConnection CreateConnection(string connectionString);

    /// <summary>True when the database serializes all writers itself (SQLite): the gateway then queues its writers in-process.</summary>
    bool SingleWriter { get; }

    /// <summary>Run after every open, for per-connection settings; null when none are needed.</summary>
    string? OnOpenSql { get; }

    /// <summary>How the group commit makes its commits durable outside the write lock; null when a commit is durable when it returns.</summary>
    ICommitFlush? CommitFlush(string connectionString);

    /// <summary>Run once before migrations, outside any transaction; null when not needed.</summary>
    string? PrepareSql { get; }

    /// <summary>Run first inside the migration transaction so that gateways starting together migrate once.</summary>
    string? MigrationLockSql { get; }

    /// <summary>True when several gateways may share one database (PostgreSQL); false keeps it to one gateway (a SQLite file).</summary>
    bool Shareable { get; }

    /// <summary>
    /// True when the database's client talks over sockets (PostgreSQL): a synchronous call after
    /// an awaited one may then wait for the socket thread it runs on, so socket completions must
    /// not run inline (Routing/InlineSocketCompletions). False when it blocks on files only (SQLite).
    /// </summary>
    bool UsesSockets { get; }

    /// <summary>A file that one gateway holds locked while it uses this database, when the database allows only one; null otherwise.</summary>
    string? SingleGatewayLockPath(string connectionString);

    /// <summary>This dialect with the settings of <paramref name="options"/> that concern it (validated already).</summary>
    ILedgerDialect Configure(LedgerOptions options);

    /// <summary>Puts Quartz's tables in this database: the one mapping from a provider to a Quartz store.</summary>
    void UseForQuartz(IPersistentStoreBuilder store, string connectionString);
}

/// <summary>The values of <c>Ledger:Provider</c>.</summary>
internal static class LedgerProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
}
