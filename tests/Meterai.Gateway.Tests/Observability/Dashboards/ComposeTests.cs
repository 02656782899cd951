using System.Diagnostics;

namespace Meterai.Gateway.Tests.Observability.Dashboards;

/// <summary>The top-level docker-compose.yml, validated by the real docker-compose (no Docker engine needed).</summary>
public sealed class ComposeTests
{
    [Fact]
    public async Task ComposeFile_DockerComposeConfig_ValidatesWithTheWholeStack()
    {
        var (exitCode, stdout, stderr) = await RunAsync("config", "--services");

        Assert.True(exitCode == 0, $"docker-compose config failed:\n{stderr}");
        var services = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Superset(new HashSet<string>(["simulators", "gateway", "prometheus", "grafana"]), services.ToHashSet());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var executable = Environment.GetEnvironmentVariable("DOCKER_COMPOSE") ?? "docker-compose";
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryFiles.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("docker-compose is not installed: apt-get install docker-compose (.ci/run does).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
