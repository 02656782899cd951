using System.Diagnostics;

namespace Meterai.Gateway.Tests.Observability.Prometheus;

/// <summary>
/// The real <c>promtool check metrics</c> (Debian's prometheus package, installed by .ci/run):
/// the same parser and linter Prometheus users run, so "promtool accepts it" is not our own reading
/// of the format.
/// </summary>
internal static class Promtool
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Lints <paramref name="exposition"/>, fed on stdin. Fails the test if promtool is not installed.</summary>
    public static async Task<Result> CheckMetricsAsync(string exposition)
    {
        var path = Find() ?? throw new Xunit.Sdk.XunitException(
            "promtool is not on PATH. It comes with Debian's prometheus package: apt-get install -y --no-install-recommends prometheus (bash .ci/run does this).");

        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(path, ["check", "metrics"])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new Xunit.Sdk.XunitException("promtool check metrics did not finish within 30 s.");
        }

        return new Result(process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Asserts promtool exits 0 and prints nothing: no parse error, no lint warning.</summary>
    public static async Task AssertCleanAsync(string exposition)
    {
        var result = await CheckMetricsAsync(exposition);
        Assert.True(
            result.ExitCode == 0 && result.Output.Length == 0,
            $"promtool check metrics exited {result.ExitCode} and printed:\n{result.Output}\n--- exposition ---\n{exposition}");
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "promtool"))
            .FirstOrDefault(File.Exists);
}
