using System.ComponentModel;
using System.Diagnostics;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// Runs a real program to completion (promtool, docker-compose, the gateway itself), capturing
/// what it prints, bounded in time: a hung tool is killed with its children and fails the test.
/// </summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;

        public override string ToString() => $"exit code {ExitCode}:{Environment.NewLine}{Output}";
    }

    /// <param name="missing">What to tell the reader when the program is not installed.</param>
    /// <param name="stdin">Written to the program's standard input, which is then closed; null leaves it alone.</param>
    /// <param name="environment">Variables set for the program on top of the test process's own.</param>
    public static async Task<Result> RunAsync(
        string executable,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string missing,
        string? workingDirectory = null,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"{executable} is not installed ({ex.Message}). {missing}", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }

            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{executable} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s.");
            }

            return new Result(process.ExitCode, await stdout, await stderr);
        }
    }
}
