using System.Net;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Admission;

/// <summary>Two whole gateways on one PostgreSQL ledger answer a key in line with the same place (spec: "Order of service in a rush").</summary>
public sealed class SharedLineTests
{
    [Fact]
    public async Task Purchase_KeyRefusedAtGatewayOne_SamePositionAtGatewayTwo()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        await using var fleet = await SimulatedFleet.StartAsync([Fleets.Seller("d01", capacity: 2, serviceTime: TimeSpan.FromSeconds(25))]);
        var settings = new Dictionary<string, string?>(ledger.Settings)
        {
            ["Probing:SharedRefreshSeconds"] = "0.2",
            ["Scheduling:CheckinIntervalSeconds"] = "1",
            ["Purchasing:AttemptTimeoutSeconds"] = "40",
            ["Capacity:ReadyShare"] = "0",
            ["Admission:MaxQueueLength"] = "0",
            ["Admission:PlaceSyncMilliseconds"] = "50",

            // Places whose owners do not come back keep counting for the whole test: positions stay put.
            ["Admission:LateAfterSeconds"] = "60",
        };
        await using var one = await GatewayHarness.StartSharingAsync(fleet, settings);
        await using var two = await GatewayHarness.StartSharingAsync(fleet, settings);
        await Eventually.TrueAsync(() => Line(one).Gateways == 2 && Line(two).Gateways == 2, "each line counts two gateways");

        // Fill the fleet from both gateways; the orders stay at the distributor for the rest of the test.
        var holds = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? one : two).PurchaseAsync($"hold-key-{i:D2}")).ToList();
        // Settled: each hold is at the distributor or was refused (and holds a place), so none takes a place later.
        await Eventually.TrueAsync(() => holds.Count(h => h.IsCompleted) + fleet.Distributors.Sum(d => d.OrdersCreated) == holds.Count, "the fleet is full");
        Assert.Contains(holds, h => h.IsCompleted && h.Result.StatusCode == HttpStatusCode.ServiceUnavailable);

        // Every refused hold's place has reached both lines: the key below comes after all of them on both.
        var refused = holds.Count(h => h.IsCompleted && h.Result.StatusCode == HttpStatusCode.ServiceUnavailable);
        await Eventually.TrueAsync(() => Line(one).Count == refused && Line(two).Count == refused, "both lines hold the refused holds' places");

        var atOne = await one.PurchaseAsync("key-in-line");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, atOne.StatusCode);
        await Eventually.TrueAsync(() => Line(two).Find("key-in-line") is not null && Line(one).Count == Line(two).Count, "the place reaches gateway two");

        var againAtTwo = await two.PurchaseAsync("key-in-line");
        var againAtOne = await one.PurchaseAsync("key-in-line");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, againAtTwo.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, againAtOne.StatusCode);
        var position = (await GatewayHarness.JsonAsync(againAtTwo)).GetProperty("position").GetInt32();
        Assert.Equal((await GatewayHarness.JsonAsync(againAtOne)).GetProperty("position").GetInt32(), position);
        Assert.Equal((await GatewayHarness.JsonAsync(atOne)).GetProperty("position").GetInt32(), position);
        Assert.Equal(Line(one).Find("key-in-line")!.Ticket, Line(two).Find("key-in-line")!.Ticket);
    }

    private static WaitingLine Line(GatewayHarness gateway) => gateway.Services.GetRequiredService<WaitingLine>();
}
