using System.Net;
using System.Net.Http.Json;
using Meterai.Simulator.Tests.Testing;

namespace Meterai.Simulator.Tests.Behavior;

public sealed class CapacityChangeTests
{
    [Fact]
    public async Task PutBehavior_CapacityHalvedMidRun_RefusesAndCountsPastCapacityAtTheNewCapacity()
    {
        var options = new SimulatedDistributorOptions
        {
            Id = "t-halves",
            Capacity = 4,
            CollapseFactor = 2,
            ServiceTime = TimeSpan.FromMilliseconds(400),
        };
        await using var sim = await SimulatorHarness.StartAsync(options);

        // Warm first (connections open, the order path compiled), so that the eight orders below
        // arrive together, within one 400 ms service time, and not behind a cold first one.
        foreach (var warm in await Task.WhenAll(Enumerable.Range(0, 8).Select(i => sim.OrderAsync($"k-warm-{i}"))))
        {
            Assert.Equal(HttpStatusCode.Created, warm.StatusCode);
            warm.Dispose();
        }

        sim.Distributor.ResetStatistics();

        // 8 at once: within 2 × 4, so all sold; 4 of them arrived past the capacity of 4.
        var first = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => sim.OrderAsync($"k-before-{i}")));
        Assert.All(first, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(4, sim.Distributor.OrdersPastCapacity);

        // The switch: its capacity halves to 2, through the control endpoint.
        using var put = await sim.Client.PutAsJsonAsync("/_sim/behavior", new { capacity = 2 });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var state = await SimulatorHarness.ReadAsync(put);
        Assert.Equal(2, state.GetProperty("capacity").GetInt32());
        sim.Distributor.ResetStatistics();

        // The same 8 at once now collapse it past 2 × 2: the last ones are refused 503.
        var second = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => sim.OrderAsync($"k-after-{i}")));
        var refused = second.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(8, refused + second.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.True(refused >= 1, "no 503 past the halved capacity");
        Assert.Equal(6, sim.Distributor.OrdersPastCapacity);
        Assert.Equal(refused, sim.Distributor.OverloadRejections);

        using var stats = await sim.Client.GetAsync("/_sim/state");
        var counted = await SimulatorHarness.ReadAsync(stats);
        Assert.Equal(6, counted.GetProperty("ordersPastCapacity").GetInt32());
        foreach (var response in first.Concat(second))
        {
            response.Dispose();
        }
    }
}
