using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Meterai.Gateway.Tests.Admission;

/// <summary>A finishing order's slot goes straight to the head waiter: strict FIFO, no lost wake-ups.</summary>
public sealed class AdmissionHandOffTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task TryHandOff_TwoWaiters_GivesEachSlotToTheLongestWaiterInTurn()
    {
        var admission = Create();
        var first = admission.WaitForSlotAsync(CancellationToken.None);
        var second = admission.WaitForSlotAsync(CancellationToken.None);
        var slotA = Lease(admission, "a");
        var slotB = Lease(admission, "b");

        Assert.True(admission.TryHandOff(slotA));
        Assert.Same(slotA.Distributor, (await first).Slot?.Distributor);
        Assert.False(second.IsCompleted);

        Assert.True(admission.TryHandOff(slotB));
        Assert.Same(slotB.Distributor, (await second).Slot?.Distributor);
        Assert.Equal(0, admission.Length);
    }

    [Fact]
    public async Task TryGive_SomeoneWaits_GivesTheSlotWithoutCountingAFinishedOrder()
    {
        var admission = Create();
        var waiting = admission.WaitForSlotAsync(CancellationToken.None);
        var slot = Lease(admission, "a");

        Assert.True(admission.TryGive(slot));

        Assert.Same(slot, (await waiting).Slot);
        Assert.False(admission.TryGive(Lease(admission, "b")));

        // No order finished, so the drain rate knows nothing yet and a wait is only bounded by MaxWait.
        _time.Advance(TimeSpan.FromSeconds(1));
        _ = admission.WaitForSlotAsync(CancellationToken.None);
        Assert.Equal(admission.MaxWait, admission.EstimatedWait);
    }

    [Fact]
    public void TryHandOff_NobodyWaits_FalseSoTheCallerReleasesTheSlot()
    {
        var admission = Create();

        Assert.False(admission.TryHandOff(Lease(admission, "a")));
    }

    [Fact]
    public async Task WaitForSlotAsync_RoomFreedBeforeItQueued_AdmittedAtOnceWithoutASlot()
    {
        var admission = Create();

        var result = await admission.WaitForSlotAsync(CancellationToken.None, hasRoom: () => true);

        Assert.True(result.IsAdmitted);
        Assert.Null(result.Slot);
        Assert.Equal(0, admission.Length);
    }

    [Fact]
    public async Task WaitForSlotAsync_NoRoomWhenQueued_WaitsForARelease()
    {
        var admission = Create();

        var waiting = admission.WaitForSlotAsync(CancellationToken.None, hasRoom: () => false);

        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, admission.Length);
        admission.SlotReleased();
        var result = await waiting;
        Assert.True(result.IsAdmitted);
        Assert.Null(result.Slot);
    }

    [Fact]
    public async Task WaitForSlotAsync_BehindAnotherWaiter_DoesNotJumpTheQueueWhenRoomAppears()
    {
        var admission = Create();
        var head = admission.WaitForSlotAsync(CancellationToken.None, hasRoom: () => false);

        var behind = admission.WaitForSlotAsync(CancellationToken.None, hasRoom: () => true);

        Assert.False(behind.IsCompleted);
        Assert.Equal(2, admission.Length);
        admission.SlotReleased();
        Assert.True((await head).IsAdmitted);
        Assert.False(behind.IsCompleted);
    }

    [Fact]
    public async Task WaitForSlotAsync_TimesOut_LeavesTheQueueSoTheNextHandOffReachesTheNextWaiter()
    {
        var admission = Create(maxWaitSeconds: 1);
        var gone = admission.WaitForSlotAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await gone).IsAdmitted);
        var next = admission.WaitForSlotAsync(CancellationToken.None);
        var slot = Lease(admission, "a");

        Assert.True(admission.TryHandOff(slot));

        Assert.Same(slot.Distributor, (await next).Slot?.Distributor);
    }

    /// <summary>A slot taken at a distributor of its own.</summary>
    private static SlotLease Lease(AdmissionControl admission, string id) =>
        SlotLease.TryTake(new DistributorState(new DistributorEntry(id, id, new Uri($"http://{id}.example/"), null, 4)), admission)!;

    private AdmissionControl Create(double maxWaitSeconds = 5) =>
        new(Options.Create(new AdmissionOptions { MaxQueueLength = 100, MaxWaitSeconds = maxWaitSeconds, DrainWindowSeconds = 10 }), _time);
}

/// <summary>Newcomers let through but not yet queued (their claim is being written) count as in line.</summary>
public sealed class AdmissionPassTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryEnter_BurstBeyondFreeSlotsAndQueue_RefusesTheRestAtTheDoor()
    {
        var admission = new AdmissionControl(
            Options.Create(new AdmissionOptions { MaxQueueLength = 3, MaxWaitSeconds = 5, DrainWindowSeconds = 10 }), _time);

        // Two free slots and a queue of three: five newcomers may be on their way, the sixth is refused.
        var passes = Enumerable.Range(0, 6).Select(i => admission.TryEnter(freeSlots: 2, out AdmissionResult? _)).ToList();

        Assert.Equal(5, passes.Count(p => p is not null));
        Assert.Null(passes[5]);
        _ = admission.TryEnter(freeSlots: 2, out var refusal);
        Assert.Equal(AdmissionRejectionReason.QueueFull, refusal?.Reason);
    }

    [Fact]
    public void TryEnter_PassesDisposed_LetsTheNextNewcomersThrough()
    {
        var admission = new AdmissionControl(
            Options.Create(new AdmissionOptions { MaxQueueLength = 1, MaxWaitSeconds = 5, DrainWindowSeconds = 10 }), _time);
        var first = admission.TryEnter(freeSlots: 0, out _);
        var second = admission.TryEnter(freeSlots: 0, out _);
        Assert.NotNull(first);
        Assert.Null(second);

        first!.Dispose();
        first.Dispose();

        var third = admission.TryEnter(freeSlots: 0, out _);
        Assert.NotNull(third);
        Assert.Null(admission.TryEnter(freeSlots: 0, out _));
    }
}
