using System.Data.Common;

namespace Meterai.Gateway.Ledger;

/// <summary>One SQL statement of the purchase path, from <c>Ledger/Statements/{name}.sql</c>, with its parameters in the order their values are given.</summary>
/// <remarks>Compared by reference: each statement is one static instance, and a session prepares it once.</remarks>
internal sealed partial class LedgerStatement
{
    private LedgerStatement(string name, string sql, string[] parameters)
    {
        Name = name;
        Sql = sql;
        Parameters = parameters;
    }

    public string Name { get; }

    public string Sql { get; }

    public IReadOnlyList<string> Parameters { get; }

    /// <summary>Loads a statement; its declared parameters must be exactly those its SQL uses, so a typo fails at type load, not mid-purchase.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or its parameters differ.</exception>
    public static LedgerStatement Load(string name, params string[] parameters)
    {
        using var stream = typeof(LedgerStatement).Assembly.GetManifestResourceStream($"Meterai.Gateway.Ledger.Statements.{name}.sql")
            ?? throw new InvalidOperationException($"Ledger statement {name}.sql is not embedded.");
        using var reader = new StreamReader(stream);
        var sql = reader.ReadToEnd();
        var used = ParameterPattern().Matches(sql).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        if (!used.SetEquals(parameters))
        {
            throw new InvalidOperationException($"Ledger statement {name}.sql uses @{string.Join(", @", used.Order())}, not @{string.Join(", @", parameters.Order())}.");
        }

        return new LedgerStatement(name, sql, parameters);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"@(\w+)")]
    private static partial System.Text.RegularExpressions.Regex ParameterPattern();
}

/// <summary>
/// A group-commit writer's long-lived connection, its current transaction, and its statements,
/// each prepared on first use and bound again on every later one: the parse is paid once per
/// connection, not once per purchase.
/// </summary>
internal sealed class WriteSession : IAsyncDisposable
{
    private readonly Dictionary<LedgerStatement, DbCommand> _commands = new(ReferenceEqualityComparer.Instance);
    private DbTransaction? _transaction;

    private WriteSession(DbConnection connection) => Connection = connection;

    /// <summary>For the purchase path's rare statements (a replay's read) that need no preparing; use with <see cref="Transaction"/>.</summary>
    public DbConnection Connection { get; }

    public DbTransaction? Transaction => _transaction;

    /// <param name="onOpenSql">Run once on the new connection, after the dialect's own open SQL; null for none.</param>
    internal static async Task<WriteSession> OpenAsync(LedgerDatabase database, string? onOpenSql) =>
        new(await database.OpenAsync(onOpenSql, CancellationToken.None));

    /// <summary>Runs a statement in the current transaction; the rows it changed.</summary>
    public async ValueTask<int> ExecuteAsync(LedgerStatement statement, params object?[] values) =>
        await Bind(statement, values).ExecuteNonQueryAsync();

    /// <summary>Runs a statement in the current transaction; the first column of its first row, or null.</summary>
    public async ValueTask<object?> ScalarAsync(LedgerStatement statement, params object?[] values) =>
        await Bind(statement, values).ExecuteScalarAsync() is { } value and not DBNull ? value : null;

    internal async Task BeginAsync() => _transaction = await Connection.BeginTransactionAsync();

    internal async Task CommitAsync()
    {
        try
        {
            await _transaction!.CommitAsync();
        }
        finally
        {
            await _transaction!.DisposeAsync();
            _transaction = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }

        await Connection.DisposeAsync();
    }

    private DbCommand Bind(LedgerStatement statement, object?[] values)
    {
        if (values.Length != statement.Parameters.Count)
        {
            throw new ArgumentException($"The statement takes {statement.Parameters.Count} values, not {values.Length}.", nameof(values));
        }

        if (!_commands.TryGetValue(statement, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = statement.Sql;
            foreach (var name in statement.Parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                command.Parameters.Add(parameter);
            }

            _commands.Add(statement, command);
        }

        command.Transaction = _transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }
}
