using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Tests.Capacity;

public sealed class GradientLimitTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();

    private ConcurrencyLimiter Gradient(int ceiling, CapacityOptions? settings = null) =>
        Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, _time, ceiling, settings);

    [Fact]
    public void Record_FastAnswersAtTheLimit_GrowsFromTheInitialLimitToTheCeiling()
    {
        var limiter = Gradient(ceiling: 32);
        Assert.Equal(2, limiter.Limit);

        Limiters.Settle(limiter, _time, Fast);

        Assert.Equal(32, limiter.Limit);
    }

    [Fact]
    public void Record_FastAnswersWellBelowTheLimit_DoNotRaiseIt()
    {
        var limiter = Gradient(ceiling: 32);

        // One order at a time says nothing about what the distributor could take at once.
        Limiters.Answer(limiter, _time, 200, Fast, inFlight: 1);

        Assert.Equal(2, limiter.Limit);
    }

    [Fact]
    public void Record_LatencyStepAtTheLimit_ShrinksTheLimitWithinTwoWindows()
    {
        var limiter = Gradient(ceiling: 32);
        Limiters.Settle(limiter, _time, Fast);
        Assert.Equal(32, limiter.Limit);

        // The distributor's database slows: answers take twice as long at 32 in flight.
        var answers = 0;
        while (limiter.Limit == 32 && answers < 100)
        {
            Limiters.Answer(limiter, _time, 1, 2 * Fast);
            answers++;
        }

        // Within two windows of 32 (the one the step fell into may still have a fast median); once a whole
        // window is slow, by the full gradient (100 × 1.25) / 200 = 0.625.
        Assert.InRange(answers, 1, 64);
        Assert.InRange(limiter.Limit, 16, 26);
    }

    [Fact]
    public void Record_BurstOfRefusalsSentUnderOneLimit_HalvesTheLimitOnce()
    {
        var limiter = Gradient(ceiling: 32);
        Limiters.Settle(limiter, _time, Fast);
        var sentAt = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(5));

        // 30 orders that were all in flight together come back 503: one overload, not thirty.
        for (var i = 0; i < 30; i++)
        {
            limiter.Record(new CapacitySample(sentAt, TimeSpan.FromMilliseconds(5), CapacitySignal.Overloaded, InFlight: 32));
        }

        Assert.Equal(16, limiter.Limit);

        // An order sent under the new limit and refused again halves it again, at once.
        limiter.Record(new CapacitySample(_time.GetTimestamp(), TimeSpan.FromMilliseconds(1), CapacitySignal.Overloaded, InFlight: 16));
        Assert.Equal(8, limiter.Limit);
    }

    [Fact]
    public void Record_AfterOverloadAtSix_StaysBelowSixUntilTheProbeIntervalThenRecovers()
    {
        var limiter = Gradient(ceiling: 32, new CapacityOptions { ProbeIntervalSeconds = 10 });
        Limiters.Settle(limiter, _time, Fast);
        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 32));
        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 16));
        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 8));
        Assert.Equal(4, limiter.Limit);

        // Healthy again, but 8 just proved too much: it climbs to 7, no further, for 10 s.
        Limiters.Answer(limiter, _time, 60, Fast);
        Assert.Equal(7, limiter.Limit);

        // After the probe interval it tries 8 again; healthy there, capacity is back and it climbs on.
        _time.Advance(TimeSpan.FromSeconds(10));
        Limiters.Settle(limiter, _time, Fast);
        Assert.Equal(32, limiter.Limit);
    }

    [Fact]
    public void Record_DistributorPastItsRealCapacity_SettlesAtThatCapacity()
    {
        // Registry says 32; the distributor serves 4 at full speed and slows with the square past that.
        var limiter = Gradient(ceiling: 32);
        for (var i = 0; i < 2_000; i++)
        {
            var inFlight = limiter.Limit;
            var latency = Fast * Math.Max(1, Math.Pow(inFlight / 4.0, 2));
            Limiters.Answer(limiter, _time, 1, latency, inFlight);
        }

        Assert.Equal(4, limiter.Limit);
    }

    [Fact]
    public void SetCeiling_BelowTheLearnedLimit_CutsItAtOnceAndCapsGrowth()
    {
        var limiter = Gradient(ceiling: 32);
        Limiters.Settle(limiter, _time, Fast);

        limiter.SetCeiling(10);
        Assert.Equal(10, limiter.Limit);
        Limiters.Settle(limiter, _time, Fast);
        Assert.Equal(10, limiter.Limit);

        limiter.SetCeiling(20);
        Limiters.Settle(limiter, _time, Fast);
        Assert.Equal(20, limiter.Limit);
    }

    [Fact]
    public void Record_BaselineLatencyRisesForGood_LimitComesBackOnceTheMinimumIsRemeasured()
    {
        var limiter = Gradient(ceiling: 16, new CapacityOptions { MinLatencyWindowSeconds = 10 });
        Limiters.Settle(limiter, _time, Fast);

        // Every answer now takes 3× as long, whatever the load: the old minimum is stale.
        Limiters.Answer(limiter, _time, 16, 3 * Fast);
        Assert.True(limiter.Limit < 16, $"limit {limiter.Limit}");

        // Within a minimum window the baseline is measured again at half the limit, and the limit grows back.
        Limiters.Answer(limiter, _time, 400, 3 * Fast);
        Assert.Equal(16, limiter.Limit);
    }

    [Fact]
    public void Record_OneSlowWindowAtTheRealCapacity_IsBackAtThatCapacityWithinTwoSeconds()
    {
        // Registry 32, real capacity 4 (slower with the square past it): settled at 4.
        var limiter = Gradient(ceiling: 32);
        TimeSpan Model(int inFlight) => Fast * Math.Max(1, Math.Pow(inFlight / 4.0, 2));
        for (var i = 0; i < 2_000; i++)
        {
            Limiters.Answer(limiter, _time, 1, Model(limiter.Limit), limiter.Limit);
        }

        Assert.Equal(4, limiter.Limit);

        // One window of 4 answers comes back slow (the gateway's host stalled): the limit steps down.
        // Each is sent at the limit in force, as the gateway sends them: after the step, at 3.
        Limiters.Answer(limiter, _time, 4, Fast * 1.6);
        Assert.True(limiter.Limit < 4, $"limit {limiter.Limit}");

        // 4 was healthy before and is healthy again: one slow window must not keep it below for a probe interval.
        for (var i = 0; i < 20; i++)
        {
            Limiters.Answer(limiter, _time, 1, Model(limiter.Limit), limiter.Limit);
        }

        Assert.True(limiter.Limit >= 4, $"limit {limiter.Limit}");
    }
}
