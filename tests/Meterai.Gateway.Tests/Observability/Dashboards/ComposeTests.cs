using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Observability.Dashboards;

/// <summary>The top-level docker-compose.yml, validated by the real docker-compose (no Docker engine needed).</summary>
public sealed class ComposeTests
{
    [Fact]
    public async Task ComposeFile_DockerComposeConfig_ValidatesWithTheWholeStack()
    {
        var result = await ExternalTool.RunAsync(
            Environment.GetEnvironmentVariable("DOCKER_COMPOSE") ?? "docker-compose",
            ["config", "--services"],
            TimeSpan.FromSeconds(60),
            "apt-get install docker-compose (.ci/run does).",
            RepositoryFiles.Root);

        Assert.True(result.ExitCode == 0, $"docker-compose config failed:\n{result.Stderr}");
        var services = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Superset(new HashSet<string>(["simulators", "gateway", "prometheus", "grafana"]), services.ToHashSet());
    }
}
