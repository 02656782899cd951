using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Tests.Capacity;

/// <summary>
/// Issue 27's retry storm: a busy gateway reads every answer later, at any concurrency alike, and the
/// learner took that for the distributor's queue and held a truthful fleet below its capacity. A rise
/// is believed only if the window at the lower concurrency it steps down to does not show it too.
/// </summary>
public sealed class GradientUniformRiseTests
{
    private static readonly TimeSpan Service = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();

    private ConcurrencyLimiter Gradient(int ceiling) => Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, _time, ceiling);

    /// <summary>
    /// A saturated distributor for <paramref name="duration"/>: the limit's worth in flight, answers spread
    /// over each one's latency (so a window takes one latency, as in the gateway), applicants waiting.
    /// </summary>
    /// <returns>The limit after each answer.</returns>
    private List<int> Saturated(ConcurrencyLimiter limiter, TimeSpan duration, Func<int, TimeSpan> latencyAt)
    {
        var limits = new List<int>();
        var end = _time.GetUtcNow() + duration;
        while (_time.GetUtcNow() < end)
        {
            var inFlight = limiter.Limit;
            var took = latencyAt(inFlight);
            var sentAt = _time.GetTimestamp() - (long)(took.TotalSeconds * _time.TimestampFrequency);
            _time.Advance(took / inFlight);
            limiter.Record(new CapacitySample(sentAt, took, CapacitySignal.Answered, inFlight, Demand: true));
            limits.Add(limiter.Limit);
        }

        return limits;
    }

    /// <summary>A distributor of <paramref name="capacity"/> orders: slower by the square of the overshoot past it (the simulator's model).</summary>
    private static TimeSpan Queueing(int inFlight, int capacity) => Service * Math.Max(1, Math.Pow(inFlight / (double)capacity, 2));

    [Fact]
    public void Record_LatencyRisesAlikeAtEveryConcurrency_KeepsTheLimit()
    {
        var limiter = Gradient(ceiling: 16);
        Limiters.Settle(limiter, _time, Service);
        Assert.Equal(16, limiter.Limit);

        // The gateway itself is busy for 20 s: every answer reads 60 % later, whatever the concurrency.
        var limits = Saturated(limiter, TimeSpan.FromSeconds(20), _ => Service * 1.6);

        // Now and then one window steps down to measure a lower concurrency; the limit goes back each time.
        Assert.Equal(16, limiter.Limit);
        Assert.True(limits.Count(l => l == 16) >= 0.9 * limits.Count, $"{limits.Count(l => l < 16)} of {limits.Count} answers below 16");
    }

    [Fact]
    public void Record_LatencyRisesAlikeAtEveryConcurrency_AfterwardsARealQueueStillShrinks()
    {
        var limiter = Gradient(ceiling: 16);
        Limiters.Settle(limiter, _time, Service);
        Saturated(limiter, TimeSpan.FromSeconds(5), _ => Service * 1.6);

        // The busy spell ends and the distributor's capacity falls to 8: the excuse does not hide it.
        Saturated(limiter, TimeSpan.FromSeconds(5), inFlight => Queueing(inFlight, capacity: 8));

        Assert.InRange(limiter.Limit, 6, 8);
    }

    [Fact]
    public void Record_LatencyRiseGrowsWithConcurrency_Shrinks()
    {
        var limiter = Gradient(ceiling: 16);
        Limiters.Settle(limiter, _time, Service);

        // The distributor's capacity falls to 8: at 16 in flight it answers in 400 ms, at 8 in 100 ms.
        Limiters.Answer(limiter, _time, 60, _ => Queueing(limiter.Limit, capacity: 8));

        Assert.InRange(limiter.Limit, 6, 8);
    }

    [Fact]
    public void Record_RealQueueWhileTheGatewayIsBusyToo_Shrinks()
    {
        var limiter = Gradient(ceiling: 16);
        Limiters.Settle(limiter, _time, Service);

        // Both at once: 60 ms of the gateway's own delay on every answer, and a queue past 8 in flight.
        var limits = Saturated(limiter, TimeSpan.FromSeconds(20), inFlight => Queueing(inFlight, capacity: 8) + (Service * 0.6));

        // Within the tolerance of a baseline that now holds the gateway's 60 ms too (9 in flight is 26 ms slower than 8).
        var lastHalf = limits.Skip(limits.Count / 2).ToList();
        Assert.True(lastHalf.Average() <= 9, $"mean limit {lastHalf.Average():F1}: {string.Join(' ', limits)}");
        Assert.InRange(limiter.Limit, 6, 9);
    }

    [Fact]
    public void Record_ClockCountingNanoseconds_RemeasuresTheBaselineOnlyEveryMinLatencyWindow()
    {
        // Linux's Stopwatch counts nanoseconds, not a TimeSpan's 100 ns ticks. Read as ticks, "every
        // 10 s" was every 0.1 s: every other window ran at half the limit.
        var clock = new NanosecondClock();
        var limiter = Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, clock, ceiling: 32);
        for (var i = 0; i < 2_000; i++)
        {
            Limiters.Answer(limiter, clock, 1, Queueing(limiter.Limit, capacity: 16), limiter.Limit);
        }

        var halved = 0;
        var started = clock.GetUtcNow();
        while (clock.GetUtcNow() - started < TimeSpan.FromSeconds(20))
        {
            var before = limiter.Limit;
            Limiters.Answer(limiter, clock, 1, Queueing(limiter.Limit, capacity: 16), limiter.Limit);
            halved += before > 8 && limiter.Limit <= 8 ? 1 : 0;
        }

        Assert.InRange(halved, 1, 2);
    }

    /// <summary>A fake clock whose timestamps count nanoseconds, as <see cref="System.Diagnostics.Stopwatch"/> does on Linux.</summary>
    private sealed class NanosecondClock : FakeTimeProvider
    {
        public override long TimestampFrequency => 1_000_000_000;

        public override long GetTimestamp() => base.GetTimestamp() * (1_000_000_000 / base.TimestampFrequency);
    }
}
