namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// The real promtool (Debian's prometheus package, installed by .ci/run): the parser and linter
/// Prometheus users run, so "promtool accepts it" is not our own reading of the format.
/// <c>PROMTOOL</c> names another binary.
/// </summary>
internal static class Promtool
{
    private const string Missing = "It comes with Debian's prometheus package: apt-get install -y --no-install-recommends prometheus (bash .ci/run does this), or set PROMTOOL to its path.";

    private static string Executable => Environment.GetEnvironmentVariable("PROMTOOL") is { Length: > 0 } path ? path : "promtool";

    public static Task<ExternalTool.Result> RunAsync(string workingDirectory, params string[] arguments) =>
        ExternalTool.RunAsync(Executable, arguments, TimeSpan.FromMinutes(2), Missing, workingDirectory);

    /// <summary>Asserts <c>promtool check metrics</c> exits 0 and prints nothing for <paramref name="exposition"/>: no parse error, no lint warning.</summary>
    public static async Task AssertCleanAsync(string exposition)
    {
        var result = await ExternalTool.RunAsync(Executable, ["check", "metrics"], TimeSpan.FromSeconds(30), Missing, stdin: exposition);
        var output = result.Output.Trim();
        Assert.True(
            result.ExitCode == 0 && output.Length == 0,
            $"promtool check metrics exited {result.ExitCode} and printed:\n{output}\n--- exposition ---\n{exposition}");
    }
}
