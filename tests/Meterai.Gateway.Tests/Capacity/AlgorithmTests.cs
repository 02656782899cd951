using FsCheck;
using FsCheck.Fluent;
using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Tests.Capacity;

public sealed class AlgorithmTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Record_Aimd_AddsOnePerWindowAtTheLimitAndHalvesOnOverload()
    {
        var limiter = Limiters.Create(ConcurrencyLimitAlgorithmNames.Aimd, _time, ceiling: 32);
        Limiters.Answer(limiter, _time, 4, Fast);
        Assert.Equal(3, limiter.Limit);

        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 3));
        Assert.Equal(1, limiter.Limit);
    }

    [Fact]
    public void Record_Fixed_StaysAtTheCeilingWhateverHappens()
    {
        var limiter = Limiters.Create(ConcurrencyLimitAlgorithmNames.Fixed, _time, ceiling: 32);
        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 32));
        Limiters.Answer(limiter, _time, 100, 10 * Fast);

        Assert.Equal(32, limiter.Limit);
    }

    public static IEnumerable<object[]> Learners() =>
        [[ConcurrencyLimitAlgorithmNames.Gradient], [ConcurrencyLimitAlgorithmNames.Aimd], [ConcurrencyLimitAlgorithmNames.Fixed]];

    /// <summary>Any sequence of answers, refusals, latencies, demand, gateway delays, clock jumps and ceiling changes: the limit stays in [1, ceiling].</summary>
    [Theory]
    [MemberData(nameof(Learners))]
    public void Record_AnySequence_LimitStaysWithinOneAndTheCeiling(string algorithm)
    {
        var step =
            from kind in Gen.Choose(0, 10)
            from millis in Gen.Choose(0, 5_000)
            from number in Gen.Choose(0, 40)
            select (Kind: kind, Millis: millis, Number: number);
        var scripts =
            from steps in Gen.ArrayOf(step)
            from first in Gen.Choose(1, 40)
            select (Steps: steps, Ceiling: first);
        Prop.ForAll(Arb.From(scripts), script =>
        {
            var (steps, ceiling) = script;
            var time = new FakeTimeProvider();
            var limiter = Limiters.Create(algorithm, time, ceiling);
            foreach (var (kind, millis, number) in steps)
            {
                var sentAt = time.GetTimestamp() - TimeSpan.FromMilliseconds(millis).Ticks;
                var latency = TimeSpan.FromMilliseconds(millis);
                switch (kind)
                {
                    case 0:
                        limiter.SetCeiling(Math.Max(1, number));
                        ceiling = Math.Max(1, number);
                        break;
                    case 1:
                        time.Advance(TimeSpan.FromSeconds(number));
                        break;
                    case 10:
                        limiter.NoteDemand();
                        break;
                    case 2 or 3:
                        limiter.Record(new CapacitySample(sentAt, latency, CapacitySignal.Overloaded, number));
                        break;
                    default:
                        time.Advance(latency);
                        limiter.Record(new CapacitySample(
                            sentAt, latency, kind == 4 ? CapacitySignal.None : CapacitySignal.Answered, number, Demand: kind == 5, GatewayDelay: latency * (kind == 6 ? 0.5 : 0)));
                        break;
                }

                if (limiter.Limit < 1 || limiter.Limit > ceiling)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
