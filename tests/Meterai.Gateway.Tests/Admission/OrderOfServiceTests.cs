using Meterai.Gateway.Admission;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Admission;

/// <summary>The admission queue serves keys in order of their place in line, and says honestly when a turn comes.</summary>
public sealed class OrderOfServiceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WaitForTurnAsync_KeyWithAnEarlierPlaceComesBack_IsServedBeforeWaitersThatArrivedAfterIt()
    {
        var (line, admission) = Create();
        line.Take("key-early");
        line.Promise("key-early", TimeSpan.FromSeconds(2));

        var later = admission.WaitForTurnAsync("key-later", CancellationToken.None);
        var latest = admission.WaitForTurnAsync("key-latest", CancellationToken.None);
        var early = admission.WaitForTurnAsync("key-early", CancellationToken.None);

        admission.SlotReleased();
        await early.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(later.IsCompleted);

        admission.SlotReleased();
        await later.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(latest.IsCompleted);
        admission.SlotReleased();
        Assert.True((await latest).IsAdmitted);
    }

    [Fact]
    public void TryEnter_ReturningOwnerDueAhead_RefusesALaterKeyThatTriesFirst()
    {
        var (line, admission) = Create(maxQueueLength: 0);
        ComeBack(line, 10);
        line.Take("key-early");
        line.Promise("key-early", TimeSpan.FromSeconds(1));
        line.Find("key-early");
        line.Promise("key-early", TimeSpan.FromSeconds(1));
        var laterPlace = line.Take("key-later")!;
        _time.Advance(TimeSpan.FromMilliseconds(150));

        // A slot is free, but key-early is due back within the wait limit: the later key may not take it.
        using var later = admission.TryEnter(freeSlots: 1, out var refusal, laterPlace.Ticket);
        using var early = admission.TryEnter(freeSlots: 1, out _, line.Find("key-early")!.Ticket);

        Assert.Null(later);
        Assert.Equal(AdmissionRejectionReason.QueueFull, refusal!.Reason);
        Assert.NotNull(early);
    }

    [Theory]
    [InlineData(0.4, 1)]
    [InlineData(1.0, 1)]
    [InlineData(4.7, 4)]
    [InlineData(90.2, 90)]
    [InlineData(99_999, AdmissionControl.MaxRetryAfterSeconds)]
    public void RetryAfterFor_EstimatedWait_IsWholeSecondsRoundedDownAtLeastOne(double waitSeconds, int expected) =>
        Assert.Equal(expected, AdmissionControl.RetryAfterFor(TimeSpan.FromSeconds(waitSeconds)));

    [Theory]
    [InlineData(1, 1, 0.1)]
    [InlineData(30, 1, 3.0)]
    [InlineData(30, 3, 1.0)]   // three gateways drain one line three times as fast
    public void EstimateInLine_PositionAndFleetSpeed_IsPositionOverTheSpeedOfEveryGateway(int position, int gateways, double expectedSeconds)
    {
        var (line, admission) = Create(throughput: 10);
        line.Gateways = gateways;

        ComeBack(line, 200);

        Assert.Equal(expectedSeconds, admission.EstimateInLine(position).TotalSeconds, precision: 1);
    }

    [Fact]
    public void EstimatedWait_LineOfPlacesAway_IsTheWaitAtItsBack()
    {
        var (line, admission) = Create(throughput: 10);
        for (var i = 0; i < 200; i++)
        {
            line.Take($"key-{i}");
            line.Promise($"key-{i}", TimeSpan.FromSeconds(30));
            line.Find($"key-{i}");
        }

        // 200 places, all of whose owners came back: a newcomer would be 201st, at 10 a second.
        Assert.InRange(admission.EstimatedWait.TotalSeconds, 19.5, 20.1);
        Assert.Equal(admission.EstimateInLine(201), admission.EstimatedWait);
    }

    /// <summary>Keys told to come back that did, and were served: the line learns that owners come back.</summary>
    private static void ComeBack(WaitingLine line, int keys)
    {
        for (var i = 0; i < keys; i++)
        {
            line.Take($"regular-{i}");
            line.Promise($"regular-{i}", TimeSpan.FromSeconds(1));
            line.Find($"regular-{i}");
            line.Served($"regular-{i}");
        }
    }

    private (WaitingLine Line, AdmissionControl Admission) Create(int maxQueueLength = 100, double throughput = 0)
    {
        var options = Options.Create(new AdmissionOptions { MaxQueueLength = maxQueueLength });
        var line = new WaitingLine(options, _time);
        return (line, new AdmissionControl(options, _time, throughput > 0 ? new Throughput(throughput) : null, line));
    }

    private sealed class Throughput(double perSecond) : IFleetThroughput
    {
        public double OrdersPerSecond => perSecond;
    }
}
