using Meterai.Gateway.Capacity;
using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Tests.Distributors;

public sealed class DistributorStateTests
{
    private static DistributorState State(int maxConcurrency, double readyShare = 0) =>
        new(new DistributorEntry("d01", "PT Satu", new Uri("http://h:1/"), apiKey: null, maxConcurrency), readyShare: readyShare);

    [Fact]
    public void RecordOrderAnswer_Refused_RefusingOrders()
    {
        var state = State(3);

        state.RecordOrderAnswer(sold: false, refused: true);

        Assert.True(state.RefusingOrders);
    }

    [Fact]
    public void RecordOrderAnswer_SaleAfterRefusal_NoLongerRefusing()
    {
        var state = State(3);
        state.RecordOrderAnswer(sold: false, refused: true);

        state.RecordOrderAnswer(sold: true, refused: false);

        Assert.False(state.RefusingOrders);
    }

    [Fact]
    public void RecordOrderAnswer_AmbiguousAfterRefusal_StillRefusing()
    {
        var state = State(3);
        state.RecordOrderAnswer(sold: false, refused: true);

        state.RecordOrderAnswer(sold: false, refused: false);

        Assert.True(state.RefusingOrders);
    }

    [Fact]
    public void TryAcquireSlot_BelowMax_SucceedsAndCounts()
    {
        var state = State(3);

        Assert.True(state.TryAcquireSlot());
        Assert.True(state.TryAcquireSlot());

        Assert.Equal(2, state.Taken);
    }

    [Fact]
    public void TryAcquireSlot_WhenFull_FailsWithoutCounting()
    {
        var state = State(2);
        Assert.True(state.TryAcquireSlot());
        Assert.True(state.TryAcquireSlot());

        Assert.False(state.TryAcquireSlot());
        Assert.False(state.TryAcquireSlot());

        Assert.Equal(2, state.Taken);
    }

    [Fact]
    public void ReleaseSlot_WhenFull_FreesOneSlot()
    {
        var state = State(1);
        Assert.True(state.TryAcquireSlot());
        Assert.False(state.TryAcquireSlot());

        state.ReleaseSlot();

        Assert.Equal(0, state.Taken);
        Assert.True(state.TryAcquireSlot());
        Assert.Equal(1, state.Taken);
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
                var inFlight = state.Taken;
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
        Assert.Equal(0, state.Taken);
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
        Assert.Equal(Max, state.Taken);
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

    [Fact]
    public void Slots_ReadyShareAQuarter_AddAQuarterOfTheLimitAtLeastOne()
    {
        Assert.Equal(5, State(4, readyShare: 0.25).Slots);
        Assert.Equal(10, State(8, readyShare: 0.25).Slots);
        Assert.Equal(2, State(1, readyShare: 0.25).Slots);
        Assert.Equal(4, State(4, readyShare: 0).Slots);
    }

    [Fact]
    public async Task WaitToSendAsync_AllSlotsTaken_SendsNoMoreThanTheLimitAtOnce()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var state = State(4, readyShare: 0.5);
        while (state.TryAcquireSlot())
        {
        }

        var turns = Enumerable.Range(0, state.Slots).Select(_ => state.WaitToSendAsync(TimeSpan.FromSeconds(5), time).AsTask()).ToArray();

        Assert.Equal(6, state.Taken);
        Assert.Equal(4, turns.Count(t => t.IsCompletedSuccessfully && t.Result));
        Assert.Equal(4, state.InFlight);
        state.FinishSend();
        Assert.True(await turns[4]);
        Assert.Equal(4, state.InFlight);
        Assert.False(turns[5].IsCompleted);
    }

    [Fact]
    public async Task SetCeiling_Raised_LetsReadyOrdersThrough()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var state = new DistributorState(
            new DistributorEntry("d01", "PT Satu", new Uri("http://h:1/"), apiKey: null, 4), FixedLimitAlgorithm.For(4), readyShare: 0.25);
        state.SetCeiling(1);
        Assert.True(await state.WaitToSendAsync(TimeSpan.FromSeconds(5), time));
        var ready = state.WaitToSendAsync(TimeSpan.FromSeconds(5), time).AsTask();
        Assert.False(ready.IsCompleted);

        state.SetCeiling(2);

        Assert.True(await ready);
        Assert.Equal(2, state.InFlight);
    }

    [Fact]
    public void SetCeiling_NoShareForThisGateway_TakesNoSlotUntilItHasOneAgain()
    {
        var state = new DistributorState(
            new DistributorEntry("d01", "PT Satu", new Uri("http://h:1/"), apiKey: null, 2), FixedLimitAlgorithm.For(2), readyShare: 0.5);

        state.SetCeiling(0);

        Assert.Equal([0, 0], [state.Slots, state.ConcurrencyLimit]);
        Assert.False(state.TryAcquireSlot());
        Assert.False(state.CouldGrow);

        state.SetCeiling(1);

        Assert.Equal(1, state.ConcurrencyLimit);
        Assert.True(state.TryAcquireSlot());
    }
}
