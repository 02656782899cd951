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

    /// <summary>A distributor of <paramref name="capacity"/> orders: slower by the square of the overshoot past it (the simulator's model).</summary>
    private static TimeSpan Queueing(int inFlight, int capacity) => Service * Math.Max(1, Math.Pow(inFlight / (double)capacity, 2));

    [Fact]
    public void Record_LatencyRisesAlikeAtEveryConcurrency_KeepsTheLimit()
    {
        var limiter = Gradient(ceiling: 16);
        Limiters.Settle(limiter, _time, Service);
        Assert.Equal(16, limiter.Limit);

        // The gateway itself is busy: every answer reads 60 % later, whatever the concurrency.
        var limits = new List<int>();
        for (var i = 0; i < 120; i++)
        {
            Limiters.Answer(limiter, _time, 1, _ => Service * 1.6, demand: true);
            limits.Add(limiter.Limit);
        }

        // One window steps down to measure the lower concurrency; then the limit is back, for good.
        Assert.Equal(16, limiter.Limit);
        Assert.True(limits.Count(l => l < 16) <= 16, $"{limits.Count(l => l < 16)} answers below 16: {string.Join(' ', limits)}");
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
        Limiters.Answer(limiter, _time, 60, _ => Queueing(limiter.Limit, capacity: 8) + (Service * 0.6));

        Assert.InRange(limiter.Limit, 2, 8);
    }
}
