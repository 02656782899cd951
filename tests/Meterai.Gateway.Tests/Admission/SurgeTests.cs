using System.Diagnostics;
using System.Net;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Admission;

/// <summary>
/// A short, small surge through the real gateway to real simulators. Judged by counts and ratios,
/// never by absolute times, and run alone (its own collection), so a noisy CI machine and the
/// rest of the suite cannot starve it.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class SurgeTests
{
    [Fact]
    public async Task Purchase_SurgeOfFourTimesCapacity_NeverPassesALimitAndRefusesOnlyWith503RetryAfter()
    {
        // Two distributors of 3 concurrent orders at 100 ms: the fleet sells about 60 a second.
        var serviceTime = TimeSpan.FromMilliseconds(100);
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", capacity: 3, serviceTime: serviceTime), Fleets.Seller("d02", capacity: 3, serviceTime: serviceTime)],
            new Dictionary<string, string?>
            {
                ["Admission:MaxWaitSeconds"] = "1",
                ["Admission:MaxQueueLength"] = "40",

                // Admission against a truthful registry, from the first request: a limit learned from
                // a cold start (Capacity:InitialLimit) takes part of this short surge to grow
                // (Capacity/ tests and bench/capacity.sh cover learning).
                ["Capacity:Learning"] = "false",
            });
        var capacityPerSecond = 2 * 3 / serviceTime.TotalSeconds;

        // About 4 × capacity for 3 s (long enough that a passing stall of the machine is a small share), sent open loop: every request leaves on time whatever the answers do.
        var clock = Stopwatch.StartNew();
        var sends = new List<Task<HttpResponseMessage>>();
        var offered = (int)(capacityPerSecond * 4 * 3);
        for (var i = 0; i < offered; i++)
        {
            var due = TimeSpan.FromSeconds(i / (capacityPerSecond * 4));
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            sends.Add(gateway.PurchaseAsync($"surge-{i:D5}"));
        }

        var answers = await Task.WhenAll(sends);
        var elapsed = clock.Elapsed;

        // Every request got a definite answer: issued, or 503 with Retry-After; nothing else, nothing lost.
        var issued = answers.Count(a => a.StatusCode == HttpStatusCode.Created);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(offered, issued + refused.Count);
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a 503 without Retry-After"));
        Assert.NotEmpty(refused);

        // No distributor ever had more orders in flight than its limit.
        Assert.All(gateway.Fleet.Distributors, d => Assert.InRange(d.MaxObservedConcurrency, 1, d.Options.Capacity));

        // The fleet sold at close to its capacity for the whole surge (a ratio: it holds on a slow machine too).
        var goodput = issued / elapsed.TotalSeconds;
        Assert.True(goodput >= 0.6 * capacityPerSecond, $"goodput {goodput:0} a second against a capacity of {capacityPerSecond:0}");
        Assert.Equal(issued, gateway.TotalOrders);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "surge";
}
