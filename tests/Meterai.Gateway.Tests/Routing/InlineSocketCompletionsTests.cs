using Meterai.Gateway.Routing;

namespace Meterai.Gateway.Tests.Routing;

/// <summary>The process-wide switch set at start: on by default, the operator's value when there is one.</summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void PreferUnlessSet_NothingSet_TurnsItOn()
    {
        var value = WithVariable(null, InlineSocketCompletions.PreferUnlessSet);

        Assert.Equal("1", value);
    }

    [Fact]
    public void PreferUnlessSet_OperatorTurnedItOff_KeepsTheirChoice()
    {
        var value = WithVariable("0", InlineSocketCompletions.PreferUnlessSet);

        Assert.Equal("0", value);
    }

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
