using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Observability.Dashboards;

/// <summary>The top-level docker-compose.yml, validated by the real docker-compose (no Docker engine needed).</summary>
public sealed class ComposeTests
{
    /// <summary>The keys the compose file requires from the environment (it has no fallback), as an operator sets them.</summary>
    private static readonly Dictionary<string, string> Keys = new()
    {
        ["METERAI_REGULATOR_KEY"] = "compose-test-regulator-key-0123456789",
        ["METERAI_OPERATOR_KEY"] = "compose-test-operator-key-0123456789",
    };

    [Fact]
    public async Task ComposeFile_DockerComposeConfig_ValidatesWithTheWholeStack()
    {
        var result = await ExternalTool.RunAsync(
            Environment.GetEnvironmentVariable("DOCKER_COMPOSE") ?? "docker-compose",
            ["config", "--services"],
            TimeSpan.FromSeconds(60),
            "apt-get install docker-compose (.ci/run does).",
            RepositoryFiles.Root,
            environment: Keys);

        Assert.True(result.ExitCode == 0, $"docker-compose config failed:\n{result.Stderr}");
        var services = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Superset(new HashSet<string>(["simulators", "gateway", "prometheus", "grafana", "postgres", "gateway-1", "gateway-2", "gateway-3"]), services.ToHashSet());
    }

    [Fact]
    public async Task ComposeFile_SeveralGateways_ShareOnePostgresLedgerAndPrometheusScrapesEach()
    {
        var config = await ExternalTool.RunAsync(
            Environment.GetEnvironmentVariable("DOCKER_COMPOSE") ?? "docker-compose", ["config"], TimeSpan.FromSeconds(60), "apt-get install docker-compose (.ci/run does).", RepositoryFiles.Root, environment: Keys);
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
        Assert.Equal(3, config.Stdout.Split(Keys["METERAI_OPERATOR_KEY"]).Length - 1);
    }

    [Fact]
    public async Task ComposeFile_NoKeysInTheEnvironment_RefusedNamingTheVariable()
    {
        // No demo fallback: a stack started without keys would otherwise run with well-known ones.
        var config = await ExternalTool.RunAsync(
            Environment.GetEnvironmentVariable("DOCKER_COMPOSE") ?? "docker-compose",
            ["config", "--services"],
            TimeSpan.FromSeconds(60),
            "apt-get install docker-compose (.ci/run does).",
            RepositoryFiles.Root,
            environment: new Dictionary<string, string> { ["METERAI_REGULATOR_KEY"] = "", ["METERAI_OPERATOR_KEY"] = "" });

        Assert.NotEqual(0, config.ExitCode);
        Assert.Contains("METERAI_", config.Stderr, StringComparison.Ordinal);
    }
}
