using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Admission;

/// <summary>
/// One of a distributor's slots (<see cref="DistributorState.Slots"/>), held by one purchase: taken,
/// used for one order, then handed to the longest waiter in the admission queue or released. It is
/// given up exactly once, whichever way: a slot is never lost and never counted twice.
/// </summary>
/// <remarks>
/// Finishing a sent order runs in a fixed order on the answer's own thread: the distributor's next
/// ready order gets its turn (SendGate), then the slot goes on, then any room a grown limit made goes
/// to waiters. Capacity is recorded by the caller before, so the turn sees the new limit.
/// </remarks>
internal sealed class SlotLease : IDisposable
{
    private readonly AdmissionControl _admission;
    private int _held = 1;

    private SlotLease(DistributorState distributor, AdmissionControl admission)
    {
        Distributor = distributor;
        _admission = admission;
    }

    public DistributorState Distributor { get; }

    /// <summary>False once given up (released, handed on, or finished).</summary>
    public bool IsHeld => Volatile.Read(ref _held) == 1;

    /// <summary>Takes one of the distributor's slots now, or null when it has none free; never waits.</summary>
    public static SlotLease? TryTake(DistributorState distributor, AdmissionControl admission)
    {
        ArgumentNullException.ThrowIfNull(distributor);
        return distributor.TryAcquireSlot() ? new SlotLease(distributor, admission) : null;
    }

    /// <summary>
    /// Waits, holding the slot, until the order may be sent without taking the distributor past its
    /// limit: at once when it has room, otherwise when an order ahead finishes.
    /// </summary>
    /// <returns>False when no turn came within <paramref name="timeout"/>: the order must not be sent; <see cref="Withdraw"/> it.</returns>
    public ValueTask<bool> TakeTurnAsync(TimeSpan timeout, TimeProvider time) => Distributor.WaitToSendAsync(timeout, time);

    /// <summary>
    /// The order sent under this slot was answered (or failed). A distributor that just sold, still
    /// within its slots, passes the slot straight on to the longest waiter; after a refusal, or past a
    /// limit that has since shrunk, it is freed.
    /// </summary>
    public void Finish(bool sold)
    {
        if (!GiveUp())
        {
            return;
        }

        var distributor = Distributor;
        distributor.FinishSend();
        if (!(sold && distributor.Taken <= distributor.Slots && _admission.TryHandOff(this)))
        {
            Free();
        }

        GiveNewRoom();
    }

    /// <summary>The order had no turn in time and was never sent: the slot is freed.</summary>
    public void Withdraw()
    {
        if (GiveUp())
        {
            Free();
            GiveNewRoom();
        }
    }

    /// <summary>A slot not used for an order goes back, and a waiter hears of it. Does nothing once given up.</summary>
    public void Dispose()
    {
        if (GiveUp())
        {
            Free();
        }
    }

    /// <summary>The same slot, for the waiter it is handed to: a lease of its own, so this one's owner can never give it up again.</summary>
    internal SlotLease PassOn() => new(Distributor, _admission);

    private bool GiveUp() => Interlocked.Exchange(ref _held, 0) == 1;

    private void Free()
    {
        Distributor.ReleaseSlot();
        _admission.SlotReleased();
    }

    /// <summary>
    /// This answer may have raised the distributor's limit: its new slots go to waiters at once.
    /// Otherwise they would wait for a newcomer, and newcomers queue behind the waiters.
    /// </summary>
    private void GiveNewRoom()
    {
        while (_admission.HasWaiters && TryTake(Distributor, _admission) is { } room)
        {
            if (!_admission.TryGive(room))
            {
                // Nobody waits after all: the slot is freed quietly, as no order finished.
                room.GiveUp();
                Distributor.ReleaseSlot();
                return;
            }
        }
    }
}
