using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Probing;

/// <summary>Two gateways on one PostgreSQL ledger route on, and report, the same probed health.</summary>
public sealed class SharedHealthTests
{
    [Fact]
    public async Task ProbeRound_RunByOneGateway_ReachesTheOtherGatewaysRoutingAndStatus()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        await using var fleet = await SimulatedFleet.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02"), Fleets.Seller("d03")]);
        var settings = new Dictionary<string, string?>(ledger.Settings) { ["Probing:SharedRefreshSeconds"] = "0.2" };
        await using var a = await GatewayHarness.StartSharingAsync(fleet, settings);
        await using var b = await GatewayHarness.StartSharingAsync(fleet, settings);
        Assert.Equal(3, await SellingAsync(b));

        await fleet["d02"].SetDownAsync(DownMode.ServiceUnavailable);
        await a.ProbeNowAsync();

        // Only a probed; b learns it from the ledger, within its refresh period.
        Assert.Equal(2, await SellingAsync(a));
        await Eventually.TrueAsync(() => b.State("d02").Healthy == false, "b sees d02 down");
        Assert.Equal(2, await SellingAsync(b));
        Assert.Equal(a.State("d02").LastProbedAt!.Value.ToUnixTimeMilliseconds(), b.State("d02").LastProbedAt!.Value.ToUnixTimeMilliseconds());
    }

    private static async Task<int> SellingAsync(GatewayHarness gateway)
    {
        var status = await GatewayHarness.JsonAsync(await gateway.Client.GetAsync("/api/status"));
        return status.GetProperty("sellingDistributors").GetInt32();
    }
}
