using Meterai.Gateway.Capacity;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Capacity;

/// <summary>Limiters on a fake clock, and answers fed to them one at a time, each sent after the previous one was answered.</summary>
internal static class Limiters
{
    public static ConcurrencyLimiter Create(string algorithm, FakeTimeProvider time, int ceiling, CapacityOptions? settings = null)
    {
        var options = Options.Create(settings ?? new CapacityOptions());
        IConcurrencyLimitAlgorithm chosen = algorithm switch
        {
            ConcurrencyLimitAlgorithmNames.Gradient => new GradientLimitAlgorithm(options, time),
            ConcurrencyLimitAlgorithmNames.Aimd => new AimdLimitAlgorithm(options, time),
            _ => new FixedLimitAlgorithm(),
        };
        return chosen.Create(ceiling);
    }

    /// <summary>
    /// <paramref name="count"/> answers of <paramref name="latency"/>, each with <paramref name="inFlight"/>
    /// orders in flight (null: as many as the limit allows, a saturated distributor).
    /// </summary>
    public static void Answer(ConcurrencyLimiter limiter, FakeTimeProvider time, int count, TimeSpan latency, int? inFlight = null, CapacitySignal signal = CapacitySignal.Answered) =>
        Answer(limiter, time, count, _ => latency, inFlight, signal);

    /// <summary>Answers whose latency the <paramref name="latency"/> of their index gives.</summary>
    public static void Answer(
        ConcurrencyLimiter limiter, FakeTimeProvider time, int count, Func<int, TimeSpan> latency, int? inFlight = null,
        CapacitySignal signal = CapacitySignal.Answered, bool demand = false, TimeSpan gatewayDelay = default)
    {
        for (var i = 0; i < count; i++)
        {
            var sentAt = time.GetTimestamp();
            var took = latency(i);
            time.Advance(took);
            limiter.Record(new CapacitySample(sentAt, took, signal, inFlight ?? limiter.Limit, demand, gatewayDelay));
        }
    }

    /// <summary>Healthy answers at the limit until the limit stops moving (or a budget of answers runs out).</summary>
    public static void Settle(ConcurrencyLimiter limiter, FakeTimeProvider time, TimeSpan latency, int answers = 2_000) =>
        Answer(limiter, time, answers, latency);
}
