using System.Reflection;
using Dapper;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// Applies the embedded <c>Migrations/{dialect}/NNNN_name.sql</c> scripts that the database has
/// not seen yet, in name order, in one transaction, and records each in <c>schema_migrations</c>.
/// </summary>
internal sealed partial class LedgerMigrator(LedgerDatabase database, TimeProvider time, ILogger<LedgerMigrator> logger)
{
    private const string HistoryTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)";

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        var scripts = Scripts(dialect.Name);
        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No ledger migrations are embedded for provider '{dialect.Name}'.");
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        if (dialect.PrepareSql is { } prepare)
        {
            await connection.ExecuteAsync(new CommandDefinition(prepare, cancellationToken: cancellationToken));
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (dialect.MigrationLockSql is { } lockSql)
        {
            await connection.ExecuteAsync(new CommandDefinition(lockSql, transaction: transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(HistoryTable, transaction: transaction, cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<string>(
            new CommandDefinition("SELECT version FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var newlyApplied = new List<string>();
        foreach (var (version, sql) in scripts)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @now)",
                new { version, now },
                transaction,
                cancellationToken: cancellationToken));
            newlyApplied.Add(version);
            LogApplied(logger, version, dialect.Name);
        }

        await transaction.CommitAsync(cancellationToken);
        return newlyApplied;
    }

    private static List<(string Version, string Sql)> Scripts(string provider)
    {
        var assembly = typeof(LedgerMigrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Ledger.Migrations.{provider}.";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => (name[prefix.Length..^4], Read(assembly, name)))
            .ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ledger migration {Version} applied ({Provider})")]
    private static partial void LogApplied(ILogger logger, string version, string provider);
}
