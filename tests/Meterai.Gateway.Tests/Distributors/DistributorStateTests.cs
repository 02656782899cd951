using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Tests.Distributors;

public sealed class DistributorStateTests
{
    private static DistributorState State(int maxConcurrency) =>
        new(new DistributorEntry("d01", "PT Satu", new Uri("http://h:1/"), apiKey: null, maxConcurrency));

    [Fact]
    public void TryAcquireSlot_BelowMax_SucceedsAndCounts()
    {
        var state = State(3);

        Assert.True(state.TryAcquireSlot());
        Assert.True(state.TryAcquireSlot());

        Assert.Equal(2, state.InFlight);
    }

    [Fact]
    public void TryAcquireSlot_WhenFull_FailsWithoutCounting()
    {
        var state = State(2);
        Assert.True(state.TryAcquireSlot());
        Assert.True(state.TryAcquireSlot());

        Assert.False(state.TryAcquireSlot());
        Assert.False(state.TryAcquireSlot());

        Assert.Equal(2, state.InFlight);
    }

    [Fact]
    public void ReleaseSlot_WhenFull_FreesOneSlot()
    {
        var state = State(1);
        Assert.True(state.TryAcquireSlot());
        Assert.False(state.TryAcquireSlot());

        state.ReleaseSlot();

        Assert.Equal(0, state.InFlight);
        Assert.True(state.TryAcquireSlot());
        Assert.Equal(1, state.InFlight);
    }

    [Fact]
    public void TryAcquireSlot_UnderContention_NeverExceedsMaxConcurrency()
    {
        const int Max = 3;
        const int PairsPerThread = 10_000;
        var state = State(Max);
        var maxObserved = 0;
        var acquired = 0;
        var refused = 0;

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < PairsPerThread; i++)
            {
                if (!state.TryAcquireSlot())
                {
                    Interlocked.Increment(ref refused);
                    continue;
                }

                Interlocked.Increment(ref acquired);
                var inFlight = state.InFlight;
                var seen = Volatile.Read(ref maxObserved);
                while (inFlight > seen)
                {
                    var previous = Interlocked.CompareExchange(ref maxObserved, inFlight, seen);
                    if (previous == seen)
                    {
                        break;
                    }

                    seen = previous;
                }

                state.ReleaseSlot();
            }
        });

        Assert.InRange(maxObserved, 1, Max);
        Assert.Equal(8 * PairsPerThread, acquired + refused);
        Assert.True(acquired > 0);
        Assert.Equal(0, state.InFlight);
    }

    [Fact]
    public void TryAcquireSlot_ManyThreadsRacingForFewSlots_GrantsExactlyMax()
    {
        const int Max = 5;
        var state = State(Max);
        var granted = 0;

        Parallel.For(0, 1_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (state.TryAcquireSlot())
            {
                Interlocked.Increment(ref granted);
            }
        });

        Assert.Equal(Max, granted);
        Assert.Equal(Max, state.InFlight);
    }

    [Fact]
    public void Stock_BeforeAnyProbe_IsUnknownAndMayHaveStock()
    {
        var state = State(4);

        Assert.Equal(DistributorState.UnknownStock, state.Stock);
        Assert.True(state.MayHaveStock);
    }

    [Fact]
    public void SetStock_UnknownToPositive_ReturnsFalse()
    {
        var state = State(4);

        Assert.False(state.SetStock(100));
        Assert.Equal(100, state.Stock);
        Assert.True(state.MayHaveStock);
    }

    [Fact]
    public void SetStock_UnknownToZero_ReturnsTrue()
    {
        var state = State(4);

        Assert.True(state.SetStock(0));
        Assert.False(state.MayHaveStock);
    }

    [Fact]
    public void SetStock_PositiveToZero_ReturnsTrue()
    {
        var state = State(4);
        state.SetStock(5);

        Assert.True(state.SetStock(0));
        Assert.Equal(0, state.Stock);
        Assert.False(state.MayHaveStock);
    }

    [Fact]
    public void SetStock_ZeroToPositive_ReturnsTrue()
    {
        var state = State(4);
        state.SetStock(0);

        Assert.True(state.SetStock(3));
        Assert.True(state.MayHaveStock);
    }

    [Fact]
    public void SetStock_PositiveToPositive_ReturnsFalse()
    {
        var state = State(4);
        state.SetStock(5);

        Assert.False(state.SetStock(9));
        Assert.Equal(9, state.Stock);
    }

    [Fact]
    public void SetStock_ZeroToZero_ReturnsFalse()
    {
        var state = State(4);
        state.SetStock(0);

        Assert.False(state.SetStock(0));
        Assert.False(state.MayHaveStock);
    }

    [Fact]
    public void SetStock_Negative_StoredAsSoldOut()
    {
        var state = State(4);
        state.SetStock(5);

        Assert.True(state.SetStock(-3));
        Assert.Equal(0, state.Stock);
        Assert.False(state.MayHaveStock);
        Assert.False(state.SetStock(-1));
    }

    [Fact]
    public void RecordProbe_Always_KeepsLastResult()
    {
        var state = State(4);
        var at = new DateTimeOffset(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);
        Assert.Null(state.Healthy);

        state.RecordProbe(healthy: false, at, TimeSpan.FromMilliseconds(12));

        Assert.False(state.Healthy);
        Assert.Equal(at, state.LastProbedAt);
        Assert.Equal(TimeSpan.FromMilliseconds(12), state.LastProbeLatency);
    }
}
