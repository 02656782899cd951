using Meterai.Gateway.Admission;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Admission;

public sealed class WaitingLineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Take_KeysArriveOneAfterAnother_PositionsFollowFirstArrivalAndARetryKeepsItsPlace()
    {
        var line = Line();

        var first = line.Take("key-a")!;
        _time.Advance(TimeSpan.FromMilliseconds(5));
        var second = line.Take("key-b")!;
        var third = line.Take("key-c")!;
        var again = line.Take("key-b")!;

        Assert.Equal([1, 2, 3], [first.Position, second.Position, third.Position]);
        Assert.True(first.Ticket < second.Ticket && second.Ticket < third.Ticket);
        Assert.Equal(second, again);
        Assert.Equal(second, line.Find("key-b"));
        Assert.Null(line.Find("key-z"));
    }

    [Fact]
    public void Served_KeyAtTheFront_LeavesAndEveryoneMovesUp()
    {
        var line = Line();
        line.Take("key-a");
        line.Take("key-b");

        var firstArrival = line.Served("key-a");

        Assert.Equal(_time.GetUtcNow(), firstArrival);
        Assert.Null(line.Find("key-a"));
        Assert.Equal(1, line.Find("key-b")!.Position);
        Assert.Equal(1, line.Count);
        Assert.Null(line.Served("key-a"));
    }

    [Theory]
    [InlineData(5, 35)]    // the grace: 30 s past the Retry-After
    [InlineData(40, 80)]   // twice the Retry-After, when that is longer
    public void Find_NotBackWithinRetryAfterAndGrace_LosesItsPlace(int retryAfterSeconds, int keptSeconds)
    {
        var line = Line();
        line.Take("key-a");
        line.Promise("key-a", TimeSpan.FromSeconds(retryAfterSeconds));

        _time.Advance(TimeSpan.FromSeconds(keptSeconds) - TimeSpan.FromMilliseconds(200));
        Assert.NotNull(line.Find("key-a"));

        line.Promise("key-a", TimeSpan.FromSeconds(retryAfterSeconds));
        _time.Advance(TimeSpan.FromSeconds(retryAfterSeconds + keptSeconds));
        Assert.Null(line.Find("key-a"));

        // Back later, it queues as new: behind a key that came meanwhile.
        line.Take("key-b");
        Assert.Equal(2, line.Take("key-a")!.Position);
    }

    [Fact]
    public void Find_AwayPastItsRetryAfter_StopsCountingAheadButIsServedFirstWhenBack()
    {
        var line = Line();
        line.Take("key-a");
        line.Promise("key-a", TimeSpan.FromSeconds(2));
        line.Take("key-b");
        line.Promise("key-b", TimeSpan.FromSeconds(10));

        // Past a's Retry-After and LateAfter: an abandoned place must not hold b back.
        _time.Advance(TimeSpan.FromSeconds(3.5));
        Assert.Equal(1, line.Find("key-b")!.Position);

        // a comes back within its grace: still ahead of every key that arrived after it.
        Assert.Equal(1, line.Find("key-a")!.Position);
        line.Arrived("key-a");
        Assert.Equal(2, line.Find("key-b")!.Position);
    }

    [Fact]
    public void DueSoonAhead_OwnersThatNeverComeBack_HoldNobodyBack()
    {
        var line = Line();
        for (var i = 0; i < 50; i++)
        {
            line.Take($"bot-{i:D4}");
            line.Promise($"bot-{i:D4}", TimeSpan.FromSeconds(1));
        }

        // Every bot buys with a fresh key: none is back when its Retry-After falls due.
        _time.Advance(TimeSpan.FromSeconds(2.5));
        for (var i = 50; i < 100; i++)
        {
            line.Take($"bot-{i:D4}");
            line.Promise($"bot-{i:D4}", TimeSpan.FromSeconds(1));
        }

        _time.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(0, line.DueSoonAhead(long.MaxValue, TimeSpan.FromSeconds(1.5)));
        Assert.Equal(0, line.ReturnShare, precision: 6);
    }

    [Fact]
    public void DueSoonAhead_OwnersThatComeBack_CountAheadOfANewcomer()
    {
        var line = Line();
        for (var i = 0; i < 20; i++)
        {
            line.Take($"key-{i:D4}");
            line.Promise($"key-{i:D4}", TimeSpan.FromSeconds(1));
            line.Find($"key-{i:D4}");
            line.Promise($"key-{i:D4}", TimeSpan.FromSeconds(1));
        }

        _time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.InRange(line.ReturnShare, 0.8, 1);
        Assert.InRange(line.DueSoonAhead(long.MaxValue, TimeSpan.FromSeconds(1.5)), 16, 20);
    }

    [Fact]
    public void Merge_SameKeyAtTwoGateways_EarliestArrivalWinsAndServedAnywhereLeavesEverywhere()
    {
        var here = Line(shared: true);
        var there = Line(shared: true);
        here.Take("key-a");
        _time.Advance(TimeSpan.FromMilliseconds(10));
        there.Take("key-b");
        there.Take("key-a");

        there.Merge(here.TakeChanges());
        here.Merge(there.TakeChanges());

        Assert.Equal(here.Find("key-a")!.Ticket, there.Find("key-a")!.Ticket);
        Assert.Equal([1, 2], [there.Find("key-a")!.Position, there.Find("key-b")!.Position]);
        Assert.Equal([1, 2], [here.Find("key-a")!.Position, here.Find("key-b")!.Position]);

        here.Served("key-a");
        there.Merge(here.TakeChanges());

        Assert.Null(there.Find("key-a"));
        Assert.Equal(1, there.Find("key-b")!.Position);
    }

    [Fact]
    public void TakeChanges_LineNotShared_KeepsNothingForOthers()
    {
        var line = Line();
        line.Take("key-a");
        line.Served("key-a");

        Assert.Empty(line.TakeChanges());
    }

    [Fact]
    public void Take_LineFull_GivesNoPlace()
    {
        var line = Line(maxPlaces: 2);
        line.Take("key-a");
        line.Take("key-b");

        Assert.Null(line.Take("key-c"));
        Assert.NotNull(line.Take("key-a"));
    }

    private WaitingLine Line(bool shared = false, int maxPlaces = 100_000) =>
        new(Options.Create(new AdmissionOptions { MaxPlaces = maxPlaces }), _time) { Shared = shared };
}
