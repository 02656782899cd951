using Meterai.Gateway.Probing;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Probing;

public sealed class FleetProbeTests
{
    private static readonly TimeSpan SlowLatency = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ProbeAllAsync_SlowDistributor_TimesOutWhileTheOthersAreProbedWithoutDelay()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01"), Fleets.Seller("d02"), Fleets.Seller("d03"), Fleets.Seller("d04")],
            new Dictionary<string, string?> { ["Probing:TimeoutSeconds"] = "2" });
        gateway.Fleet["d04"].Behavior.Latency = SlowLatency;
        var fast = gateway.Fleet.Distributors.Where(d => d.Id != "d04").Select(d => gateway.State(d.Id)).ToList();
        var before = fast.Max(d => d.LastProbedAt!.Value);

        var round = gateway.Services.GetRequiredService<FleetProbe>().ProbeAllAsync(CancellationToken.None);

        // The fast three reach routing while the round still waits on d04's timeout.
        await Eventually.TrueAsync(() => fast.All(d => d.LastProbedAt > before), "the fast distributors' probes");
        Assert.False(round.IsCompleted);
        var results = (await round).ToDictionary(r => r.DistributorId);

        Assert.False(results["d04"].Healthy);
        Assert.False(gateway.State("d04").Healthy);
        Assert.All(fast, d => Assert.True(d.Healthy));
        Assert.True(results["d04"].Latency < SlowLatency / 2, "the timeout, not the distributor, ended d04's probe");
        Assert.All(fast, d => Assert.True(results[d.Id].Latency * 4 < results["d04"].Latency, $"{d.Id} took {results[d.Id].Latency}"));
    }

    [Fact]
    public async Task ProbeAllAsync_Round_StoresEachResultInProbes()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01", stock: 40), Fleets.Seller("d02", stock: 0)]);
        await gateway.Fleet["d02"].SetDownAsync(DownMode.ServiceUnavailable);
        var probe = gateway.Services.GetRequiredService<FleetProbe>();

        var results = await probe.ProbeAllAsync(CancellationToken.None);

        foreach (var result in results)
        {
            var at = result.ProbedAt.ToUnixTimeMilliseconds();
            Assert.Equal(result.Healthy ? 1 : 0, await gateway.QueryLedgerAsync<long>(
                "SELECT healthy FROM probes WHERE distributor_id = @id AND probed_at = @at", new { id = result.DistributorId, at }));
        }

        Assert.Equal(40, await gateway.QueryLedgerAsync<long>(
            "SELECT stock FROM probes WHERE distributor_id = 'd01' AND probed_at = @at", new { at = results.Single(r => r.DistributorId == "d01").ProbedAt.ToUnixTimeMilliseconds() }));
        Assert.False(results.Single(r => r.DistributorId == "d02").Healthy);
    }

    [Fact]
    public async Task ProbeAllAsync_RejectedCredentials_LogsACredentialsProblemAndMarksUnhealthy()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", apiKey: "right-key")],
            editRegistry: json => json.Replace("right-key", "wrong-key", StringComparison.Ordinal));

        Assert.False(gateway.State("d01").Healthy);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("rejected the gateway's credentials (401)", StringComparison.Ordinal));
    }
}
