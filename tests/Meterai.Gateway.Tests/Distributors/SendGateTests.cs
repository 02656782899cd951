using Meterai.Gateway.Distributors;
using Microsoft.Extensions.Time.Testing;

namespace Meterai.Gateway.Tests.Distributors;

/// <summary>Orders ready to go are sent one by one as orders ahead finish, never past the limit, first come first served.</summary>
public sealed class SendGateTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();
    private readonly SendGate _gate = new();

    [Fact]
    public async Task EnterAsync_UnderTheLimit_LetsThroughAtOnce()
    {
        Assert.True(await _gate.EnterAsync(limit: 2, Wait, _time));
        Assert.True(await _gate.EnterAsync(limit: 2, Wait, _time));

        Assert.Equal(2, _gate.Sending);
    }

    [Fact]
    public async Task Exit_TwoWaitingAtTheLimit_LetsTheLongestWaiterThroughFirst()
    {
        await _gate.EnterAsync(limit: 1, Wait, _time);
        var first = _gate.EnterAsync(limit: 1, Wait, _time).AsTask();
        var second = _gate.EnterAsync(limit: 1, Wait, _time).AsTask();
        Assert.False(first.IsCompleted);
        Assert.Equal(2, _gate.Waiting);

        _gate.Exit(limit: 1);

        Assert.True(await first);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, _gate.Sending);
    }

    [Fact]
    public async Task Exit_SomeoneWaits_SendsTheWaiterOnTheFinishingThreadBeforeReturning()
    {
        await _gate.EnterAsync(limit: 1, Wait, _time);
        // Waiting from the thread pool, as under ASP.NET Core: no synchronization context or test scheduler to post back to.
        var next = await Task.Run(() => Task.FromResult(SendWhenLetThroughAsync()));
        Assert.False(next.IsCompleted);

        _gate.Exit(limit: 1);

        // Ran inside Exit, on this thread: no wait in the thread pool's queue between an answer and the next order.
        Assert.True(next.IsCompleted);
        Assert.Equal(Environment.CurrentManagedThreadId, await next);
    }

    [Fact]
    public async Task EnterAsync_SomeoneWaitsAndRoomAppears_DoesNotOvertakeTheWaiter()
    {
        await _gate.EnterAsync(limit: 1, Wait, _time);
        var waiting = _gate.EnterAsync(limit: 1, Wait, _time).AsTask();

        // A newcomer with a larger limit in hand still queues behind the one already waiting.
        var newcomer = _gate.EnterAsync(limit: 2, Wait, _time).AsTask();

        Assert.False(newcomer.IsCompleted);
        Assert.Equal(2, _gate.Waiting);
        _gate.Exit(limit: 1);
        Assert.True(await waiting);
        Assert.False(newcomer.IsCompleted);
    }

    [Fact]
    public async Task EnterAsync_NoTurnWithinTheWait_FalseAndNoLongerWaiting()
    {
        await _gate.EnterAsync(limit: 1, Wait, _time);
        var waiting = _gate.EnterAsync(limit: 1, Wait, _time).AsTask();

        _time.Advance(Wait);

        Assert.False(await waiting);
        Assert.Equal(0, _gate.Waiting);
        Assert.Equal(1, _gate.Sending);
        _gate.Exit(limit: 1);
        Assert.Equal(0, _gate.Sending);
    }

    [Fact]
    public async Task Pump_LimitGrew_LetsAsManyWaitersThroughAsTheNewRoom()
    {
        await _gate.EnterAsync(limit: 1, Wait, _time);
        var waiters = Enumerable.Range(0, 3).Select(_ => _gate.EnterAsync(limit: 1, Wait, _time).AsTask()).ToArray();

        _gate.Pump(limit: 3);

        Assert.True(await waiters[0]);
        Assert.True(await waiters[1]);
        Assert.False(waiters[2].IsCompleted);
        Assert.Equal(3, _gate.Sending);
    }

    [Fact]
    public async Task Exit_LimitShrankBelowWhatIsSending_LetsNobodyThrough()
    {
        await _gate.EnterAsync(limit: 3, Wait, _time);
        await _gate.EnterAsync(limit: 3, Wait, _time);
        await _gate.EnterAsync(limit: 3, Wait, _time);
        var waiting = _gate.EnterAsync(limit: 3, Wait, _time).AsTask();

        _gate.Exit(limit: 1);

        Assert.False(waiting.IsCompleted);
        Assert.Equal(2, _gate.Sending);
    }

    private async Task<int> SendWhenLetThroughAsync()
    {
        Assert.True(await _gate.EnterAsync(limit: 1, Wait, _time).ConfigureAwait(false));
        return Environment.CurrentManagedThreadId;
    }
}
