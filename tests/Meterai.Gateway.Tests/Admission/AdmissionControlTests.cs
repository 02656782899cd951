using Meterai.Gateway.Admission;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Admission;

public sealed class AdmissionControlTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task WaitForSlotAsync_SlotsReleased_AdmitsWaitersFirstComeFirstServed()
    {
        var admission = Create(maxWaitSeconds: 5);
        var order = new List<int>();
        var waiters = Enumerable.Range(1, 3).Select(async i =>
        {
            var result = await admission.WaitForSlotAsync(CancellationToken.None);
            lock (order)
            {
                order.Add(i);
            }

            return result;
        }).ToList();
        Assert.Equal(3, admission.Length);

        // One slot at a time: each release must admit exactly the longest waiter.
        for (var released = 1; released <= 3; released++)
        {
            admission.SlotReleased();
            await Eventually.TrueAsync(() => { lock (order) { return order.Count == released; } }, $"waiter {released}");
        }

        var results = await Task.WhenAll(waiters);
        Assert.All(results, r => Assert.True(r.IsAdmitted));
        Assert.Equal([1, 2, 3], order);
        Assert.Equal(0, admission.Length);
    }

    [Fact]
    public async Task WaitForSlotAsync_QueueFull_RejectsAtOnceWithRetryAfter()
    {
        var admission = Create(maxQueueLength: 2);
        _ = admission.WaitForSlotAsync(CancellationToken.None);
        _ = admission.WaitForSlotAsync(CancellationToken.None);

        var third = await admission.WaitForSlotAsync(CancellationToken.None);

        Assert.False(third.IsAdmitted);
        Assert.Equal(AdmissionRejectionReason.QueueFull, third.Reason);
        Assert.InRange(third.RetryAfterSeconds, 1, 60);
    }

    [Fact]
    public async Task WaitForSlotAsync_NoSlotWithinMaxWait_TimesOutOnTheInjectedClock()
    {
        var admission = Create(maxWaitSeconds: 5);
        var waiting = admission.WaitForSlotAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        var result = await waiting;

        Assert.Equal(AdmissionRejectionReason.WaitTimedOut, result.Reason);
        Assert.Equal(0, admission.Length);
    }

    [Fact]
    public async Task WaitForSlotAsync_DrainSlowerThanQueueCanWait_RejectsAsWaitTooLong()
    {
        var admission = Create(maxWaitSeconds: 2);
        Drain(admission, perSecond: 10, seconds: 3);
        var queued = Enumerable.Range(0, 19).Select(_ => admission.WaitForSlotAsync(CancellationToken.None)).ToList();

        // 19 ahead at 10 a second: the 20th would wait 2 s, the 21st 2.1 s.
        var twentieth = admission.WaitForSlotAsync(CancellationToken.None);
        var twentyFirst = await admission.WaitForSlotAsync(CancellationToken.None);

        Assert.False(twentieth.IsCompleted);
        Assert.Equal(AdmissionRejectionReason.WaitTooLong, twentyFirst.Reason);
        Assert.Equal(3, twentyFirst.RetryAfterSeconds); // (20 queued + 1) / 10 a second, rounded up
        Assert.Equal(TimeSpan.FromSeconds(2.1), admission.EstimatedWait); // the back of the line: a newcomer would be 21st
        Assert.Equal(21, queued.Count + 2);
    }

    [Theory]
    [InlineData(10, 0, 1)]
    [InlineData(10, 29, 3)]
    [InlineData(2, 29, 15)]
    [InlineData(1, 500, 60)]
    public void RetryAfterSeconds_FromMeasuredDrainRate(int perSecond, int queued, int expected)
    {
        var admission = Create();
        Drain(admission, perSecond, seconds: 10);

        Assert.Equal(expected, admission.RetryAfterSeconds(queued));
    }

    [Fact]
    public void DrainRate_CountsWholeSecondsOfTheWindowOnly()
    {
        var rate = new DrainRate(_time, windowSeconds: 10);
        for (var second = 0; second < 20; second++)
        {
            for (var i = 0; i < (second < 10 ? 50 : 5); i++)
            {
                rate.Record();
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // Seconds 10..19 sold 5 a second; the busier first ten have left the window.
        Assert.Equal(5, rate.PerSecond(), precision: 6);
    }

    [Fact]
    public async Task WaitForSlotAsync_ApplicantLeaves_LeavesTheQueue()
    {
        var admission = Create();
        using var gone = new CancellationTokenSource();
        var waiting = admission.WaitForSlotAsync(gone.Token);

        await gone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, admission.Length);
    }

    [Fact]
    public void MaxWait_AfterServiceTimesMeasured_IsOneServiceTimeCappedByMaxWaitSeconds()
    {
        var admission = Create(maxWaitSeconds: 5);
        Assert.Equal(TimeSpan.FromSeconds(5), admission.MaxWait);

        admission.RecordServiceTime(TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(200), admission.MaxWait);

        for (var i = 0; i < 200; i++)
        {
            admission.RecordServiceTime(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(TimeSpan.FromSeconds(5), admission.MaxWait);
    }

    [Fact]
    public void MaxWait_NearFreeDistributor_IsTheMinWaitFloorNotAFractionOfAMillisecond()
    {
        var admission = Create(maxWaitSeconds: 5);

        admission.RecordServiceTime(TimeSpan.FromMilliseconds(0.1));

        Assert.Equal(TimeSpan.FromSeconds(new AdmissionOptions().MinWaitSeconds), admission.MaxWait);
    }

    [Fact]
    public void RefusalNow_QueueFull_RefusesBeforeAnythingIsWritten()
    {
        var admission = Create(maxQueueLength: 2);
        Assert.Null(admission.RefusalNow());
        _ = admission.WaitForSlotAsync(CancellationToken.None);
        Assert.Null(admission.RefusalNow());
        _ = admission.WaitForSlotAsync(CancellationToken.None);

        var refusal = admission.RefusalNow();

        Assert.Equal(AdmissionRejectionReason.QueueFull, refusal?.Reason);
        Assert.InRange(refusal!.RetryAfterSeconds, 1, 60);
    }

    private AdmissionControl Create(int maxQueueLength = 100, double maxWaitSeconds = 5) =>
        new(Options.Create(new AdmissionOptions { MaxQueueLength = maxQueueLength, MaxWaitSeconds = maxWaitSeconds, DrainWindowSeconds = 10 }), _time);

    private void Drain(AdmissionControl admission, int perSecond, int seconds)
    {
        for (var s = 0; s < seconds; s++)
        {
            for (var i = 0; i < perSecond; i++)
            {
                admission.SlotReleased();
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
