using Meterai.Gateway.Routing;
using Microsoft.Extensions.Configuration;

namespace Meterai.Gateway.Tests.Routing;

/// <summary>The process-wide switch set at start: on with the SQLite ledger, off with PostgreSQL, the operator's value when there is one.</summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void PreferUnlessSet_NothingSetSqliteLedger_TurnsItOn()
    {
        var value = WithVariable(null, () => InlineSocketCompletions.PreferUnlessSet(Ledger(null)));

        Assert.Equal("1", value);
    }

    [Fact]
    public void PreferUnlessSet_OperatorTurnedItOff_KeepsTheirChoice()
    {
        var value = WithVariable("0", () => InlineSocketCompletions.PreferUnlessSet(Ledger("sqlite")));

        Assert.Equal("0", value);
    }

    [Fact]
    public void PreferUnlessSet_PostgresLedger_LeavesItOff()
    {
        var value = WithVariable(null, () => InlineSocketCompletions.PreferUnlessSet(Ledger("postgres")));

        Assert.Null(value);
    }

    /// <summary>A configuration with <c>Ledger:Provider</c> set to <paramref name="provider"/>, or without the key when null.</summary>
    private static IConfiguration Ledger(string? provider) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(provider is null ? [] : new Dictionary<string, string?> { ["Ledger:Provider"] = provider })
            .Build();

    /// <summary>Runs <paramref name="action"/> with the variable set to <paramref name="initial"/>, and puts the process's value back.</summary>
    private static string? WithVariable(string? initial, Action action)
    {
        var saved = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, initial);
            action();
            return Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, saved);
        }
    }
}
