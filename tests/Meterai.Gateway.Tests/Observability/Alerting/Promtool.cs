using System.ComponentModel;
using System.Diagnostics;

namespace Meterai.Gateway.Tests.Observability.Alerting;

/// <summary>Runs the real promtool (Debian's prometheus package) with a bounded time.</summary>
internal static class Promtool
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit code {ExitCode}:{Environment.NewLine}{Output}";
    }

    public static async Task<Result> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"promtool is not installed ({ex.Message}). Install Debian's prometheus package (apt-get install -y prometheus) "
                + "or set PROMTOOL to its path; .ci/run installs it.",
                ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"promtool {string.Join(' ', arguments)} did not finish within 2 minutes.");
            }

            return new Result(process.ExitCode, (await stdout) + (await stderr));
        }
    }

    private static string Executable => Environment.GetEnvironmentVariable("PROMTOOL") is { Length: > 0 } path ? path : "promtool";
}
