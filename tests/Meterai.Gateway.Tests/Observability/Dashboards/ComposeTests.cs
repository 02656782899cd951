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
        Assert.Superset(new HashSet<string>(["simulators", "gateway", "prometheus", "grafana", "postgres", "gateway-1", "gateway-2", "gateway-3"]), services.ToHashSet());
    }

    [Fact]
    public async Task ComposeFile_SeveralGateways_ShareOnePostgresLedgerAndPrometheusScrapesEach()
    {
        var config = await ExternalTool.RunAsync(
            Environment.GetEnvironmentVariable("DOCKER_COMPOSE") ?? "docker-compose", ["config"], TimeSpan.FromSeconds(60), "apt-get install docker-compose (.ci/run does).", RepositoryFiles.Root);
        var prometheus = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "deploy", "prometheus", "prometheus.yml"));
        var nginx = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "deploy", "nginx", "nginx.conf"));

        Assert.Equal(0, config.ExitCode);
        foreach (var instance in new[] { "gateway-1", "gateway-2", "gateway-3" })
        {
            Assert.Contains($"\"{instance}:8080\"", prometheus, StringComparison.Ordinal);
            Assert.Contains($"server {instance}:8080", nginx, StringComparison.Ordinal);
        }

        // Every gateway on the one PostgreSQL ledger: the merged config repeats it once per gateway.
        Assert.Equal(3, config.Stdout.Split("Ledger__Provider: postgres").Length - 1);
    }
}
