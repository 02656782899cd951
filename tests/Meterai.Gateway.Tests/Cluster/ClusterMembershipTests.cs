using Meterai.Gateway.Cluster;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Cluster;

/// <summary>Gateways on one PostgreSQL ledger see each other and split each distributor's limit.</summary>
public sealed class ClusterMembershipTests
{
    [Fact]
    public async Task Membership_ThreeGatewaysThenOneStops_LimitSplitThreeWaysThenTwo()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        await using var fleet = await SimulatedFleet.StartAsync([Fleets.Seller("d01", capacity: 10)]);
        var settings = new Dictionary<string, string?>(ledger.Settings)
        {
            ["Probing:SharedRefreshSeconds"] = "0.2",
            ["Scheduling:CheckinIntervalSeconds"] = "1",
        };
        var gateways = new List<GatewayHarness>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                gateways.Add(await GatewayHarness.StartSharingAsync(fleet, settings));
            }

            await Eventually.TrueAsync(() => gateways.All(g => Members(g).Count == 3), "every gateway sees three");
            await Eventually.TrueAsync(() => gateways.Sum(g => g.State("d01").Ceiling) == 10, "the limits split 4 + 3 + 3");
            Assert.Equal([3, 3, 4], gateways.Select(g => g.State("d01").Ceiling).Order());
            Assert.All(gateways, g => Assert.Equal(Members(gateways[0]), Members(g)));

            await gateways[2].DisposeAsync();
            gateways.RemoveAt(2);

            await Eventually.TrueAsync(() => gateways.All(g => Members(g).Count == 2), "the two left see two");
            await Eventually.TrueAsync(() => gateways.All(g => g.State("d01").Ceiling == 5), "the limit splits 5 + 5");
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    private static IReadOnlyList<string> Members(GatewayHarness gateway) => gateway.Services.GetRequiredService<ClusterMembership>().LiveInstances;
}
