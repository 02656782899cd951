using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Tests.Capacity;

/// <summary>
/// Issue 10's scenarios on <see cref="CapacitySimulation"/>: how the default algorithm was chosen.
/// Goodput is orders sold per second over what the distributor can really serve.
/// </summary>
public sealed class CapacitySimulationTests
{
    private static readonly TimeSpan Service = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private static CapacitySimulation Simulate(string algorithm, int ceiling, int capacity, out FakeTimeProvider time)
    {
        time = new FakeTimeProvider();
        return new CapacitySimulation(Limiters.Create(algorithm, time, ceiling), time, Service) { Capacity = capacity };
    }

    [Fact]
    public void Run_RegistrySays32RealCapacity4_GradientSellsAtCapacityAndRarelyPastIt()
    {
        var sim = Simulate(ConcurrencyLimitAlgorithmNames.Gradient, ceiling: 32, capacity: 4, out _);

        SellsAtCapacityAndRarelyPastIt(sim);
    }

    [Fact]
    public void Run_RegistrySays32RealCapacity4_AimdAndFixedSendFarMorePastCapacityThanGradient()
    {
        double Past(string algorithm)
        {
            var sim = Simulate(algorithm, ceiling: 32, capacity: 4, out _);
            sim.Run(Minute);
            return (double)sim.PastCapacity / sim.Sent;
        }

        var gradient = Past(ConcurrencyLimitAlgorithmNames.Gradient);
        var aimd = Past(ConcurrencyLimitAlgorithmNames.Aimd);
        var fixedLimit = Past(ConcurrencyLimitAlgorithmNames.Fixed);

        // AIMD climbs to the collapse point and halves, again and again: blind to latency.
        Assert.True(aimd > 3 * gradient, $"AIMD {aimd:P1}, Gradient {gradient:P1}");
        Assert.True(fixedLimit > 0.5, $"Fixed {fixedLimit:P1}");
    }

    [Fact]
    public void Run_TruthfulRegistry_GradientLosesAlmostNothingAgainstTheFixedLimit()
    {
        var learned = Simulate(ConcurrencyLimitAlgorithmNames.Gradient, ceiling: 5, capacity: 5, out _);
        var fixedLimit = Simulate(ConcurrencyLimitAlgorithmNames.Fixed, ceiling: 5, capacity: 5, out _);

        var ratio = (double)learned.Run(Minute) / fixedLimit.Run(Minute);

        Assert.True(ratio >= 0.98, $"learning sells {ratio:0.000} of the fixed limit");
        Assert.Equal(0, learned.PastCapacity);
    }

    [Fact]
    public void Run_CapacityHalvesMidRun_GradientIsBackAbove90PercentWithin10Seconds()
    {
        var sim = Simulate(ConcurrencyLimitAlgorithmNames.Gradient, ceiling: 32, capacity: 8, out _);
        sim.Run(TimeSpan.FromSeconds(30));

        sim.Capacity = 4;
        sim.Run(TimeSpan.FromSeconds(10));
        var sold = sim.Run(TimeSpan.FromSeconds(20));

        var goodput = sold / 20.0 / sim.RealThroughput;
        Assert.True(goodput >= 0.9, $"goodput {goodput:0.00} of the new capacity");
        Assert.InRange(sim.MaxLimit, 1, 32);
    }

    /// <summary>The gateway's own jitter: mostly a fraction of a millisecond, now and then a stall of the process.</summary>
    private static TimeSpan Jitter(Random random) =>
        random.NextDouble() < 0.03 ? TimeSpan.FromMilliseconds(80) : TimeSpan.FromMilliseconds(-0.5 * Math.Log(1 - random.NextDouble()));

    [Fact]
    public void Run_NearFreeDistributorUnderDemand_LimitReaches32Within5Seconds()
    {
        // nginx's canned answer: 0.1 ms, room for 256; the gateway's own jitter is several times that.
        var time = new FakeTimeProvider();
        var sim = new CapacitySimulation(Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, time, ceiling: 256), time, TimeSpan.FromMilliseconds(0.1))
        {
            Capacity = 256,
            GatewayJitter = Jitter,
        };

        var took = sim.RunUntilLimit(32, within: TimeSpan.FromSeconds(5), step: TimeSpan.FromMilliseconds(10));

        Assert.True(took is not null, $"limit still {sim.MaxLimit} at most after 5 s");
    }

    [Fact]
    public void Run_RegistrySays32RealCapacity4WithGatewayJitter_GradientSellsAtCapacityAndRarelyPastIt()
    {
        var time = new FakeTimeProvider();
        var sim = new CapacitySimulation(Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, time, 32), time, Service) { Capacity = 4, GatewayJitter = Jitter };

        SellsAtCapacityAndRarelyPastIt(sim);
    }

    [Fact]
    public void Run_CapacityHalvesMidRunWithGatewayJitter_GradientIsBackAbove90PercentWithin10Seconds()
    {
        var time = new FakeTimeProvider();
        var sim = new CapacitySimulation(Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, time, 32), time, Service) { Capacity = 8, GatewayJitter = Jitter };
        sim.Run(TimeSpan.FromSeconds(30));

        sim.Capacity = 4;
        sim.Run(TimeSpan.FromSeconds(10));
        var sold = sim.Run(TimeSpan.FromSeconds(20));

        var goodput = sold / 20.0 / sim.RealThroughput;
        Assert.True(goodput >= 0.9, $"goodput {goodput:0.00} of the new capacity");
    }

    [Fact]
    public void Run_RealCapacity16_LimitDoesNotCreepTowardsTheCollapsePoint()
    {
        // Under constant load a rolling minimum becomes the latency at the limit, and the limit crept up
        // a tolerance at a time (17, 18, 20 ... towards the 503s at 32: 0.88 of capacity after a minute); the baseline is now re-measured at half the limit.
        var time = new FakeTimeProvider();
        var sim = new CapacitySimulation(Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, time, 64), time, Service) { Capacity = 16 };
        sim.Run(TimeSpan.FromSeconds(10));

        var sold = sim.Run(TimeSpan.FromSeconds(110));

        var goodput = sold / 110.0 / sim.RealThroughput;
        Assert.True(goodput >= 0.9, $"goodput {goodput:0.00} of real capacity");
    }

    /// <summary>A minute of the simulation: at least 0.9 of the real capacity sold, at most 5 % of orders sent past it.</summary>
    private static void SellsAtCapacityAndRarelyPastIt(CapacitySimulation sim)
    {
        var sold = sim.Run(Minute);

        var goodput = sold / Minute.TotalSeconds / sim.RealThroughput;
        var pastCapacity = (double)sim.PastCapacity / sim.Sent;
        Assert.True(goodput >= 0.9, $"goodput {goodput:0.00} of real capacity");
        Assert.True(pastCapacity <= 0.05, $"{pastCapacity:P1} of orders sent past capacity");
    }
}
