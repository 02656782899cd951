using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Tests.Purchases;

public sealed class RefusalCounterTests
{
    [Fact]
    public void Refused_AcrossAnHourBoundary_CountsEachHourApart()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 59, 58, TimeSpan.Zero));
        var counter = new RefusalCounter(clock);

        counter.Refused();
        counter.Refused();
        clock.Advance(TimeSpan.FromSeconds(3));
        counter.Refused();

        var counts = counter.Take();
        Assert.Equal(2, counts[new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()]);
        Assert.Equal(1, counts[new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()]);
        Assert.Empty(counter.Take());
    }

    [Fact]
    public void Restore_AfterAFailedFlush_AddsTheCountsBackToNewOnes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero));
        var counter = new RefusalCounter(clock);
        counter.Refused();
        var taken = counter.Take();

        counter.Refused();
        counter.Restore(taken);

        Assert.Equal(2, Assert.Single(counter.Take()).Value);
    }
}
