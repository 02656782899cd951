using Meterai.Gateway.Routing;
using Meterai.Gateway.Tests.Testing;
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

    [Fact]
    public void StartInfo_TestHostTurnedItOn_ChildGatewayDecidesForItself()
    {
        // The test host's own in-process gateways (SQLite) set it for the whole process; a child
        // gateway that inherited it would keep it even on PostgreSQL (MultiInstanceTests hung so).
        var start = WithVariableValue("1", () => GatewayProcess.StartInfo(new Dictionary<string, string> { ["Ledger:Provider"] = "postgres" }));

        Assert.False(start.Environment.ContainsKey(InlineSocketCompletions.Variable));
    }

    /// <summary>A configuration with <c>Ledger:Provider</c> set to <paramref name="provider"/>, or without the key when null.</summary>
    private static IConfiguration Ledger(string? provider) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(provider is null ? [] : new Dictionary<string, string?> { ["Ledger:Provider"] = provider })
            .Build();

    /// <summary>Runs <paramref name="action"/> with the variable set to <paramref name="initial"/>, and returns the variable after it.</summary>
    private static string? WithVariable(string? initial, Action action) =>
        WithVariableValue(initial, () =>
        {
            action();
            return Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        });

    /// <summary>Runs <paramref name="func"/> with the variable set to <paramref name="initial"/>, and puts the process's value back.</summary>
    private static T WithVariableValue<T>(string? initial, Func<T> func)
    {
        var saved = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, initial);
            return func();
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, saved);
        }
    }
}
