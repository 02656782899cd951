using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Tests.Capacity;

/// <summary>What admission asks before counting a refusal as one made while there was room (issue 27).</summary>
public sealed class CouldGrowTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void CouldGrow_NewLimiterBelowItsCeiling_IsTrue()
    {
        var limiter = Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, _time, ceiling: 32);

        Assert.True(limiter.CouldGrow);
    }

    [Theory]
    [InlineData(ConcurrencyLimitAlgorithmNames.Gradient)]
    [InlineData(ConcurrencyLimitAlgorithmNames.Fixed)]
    public void CouldGrow_AtTheCeiling_IsFalse(string algorithm)
    {
        var limiter = Limiters.Create(algorithm, _time, ceiling: 8);
        Limiters.Settle(limiter, _time, Fast);

        Assert.Equal(8, limiter.Limit);
        Assert.False(limiter.CouldGrow);
    }

    [Fact]
    public void CouldGrow_JustBelowALimitThatWasRefused_IsFalseUntilTheProbeInterval()
    {
        var limiter = Limiters.Create(ConcurrencyLimitAlgorithmNames.Gradient, _time, ceiling: 32, new CapacityOptions { ProbeIntervalSeconds = 10 });
        Limiters.Settle(limiter, _time, Fast);
        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 32));
        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 16));
        limiter.Record(new CapacitySample(_time.GetTimestamp(), Fast, CapacitySignal.Overloaded, InFlight: 8));
        Limiters.Answer(limiter, _time, 60, Fast);
        Assert.Equal(7, limiter.Limit);

        // 8 was refused: the limiter will not try it for now, so a refusal here is not one "with room".
        Assert.False(limiter.CouldGrow);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(limiter.CouldGrow);
    }
}
