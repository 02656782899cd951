using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Admission;

/// <summary>
/// A gateway-wide, bounded FIFO queue of purchases waiting for any distributor slot. Under a
/// surge the fleet keeps selling at its full capacity, the queue absorbs what it can within
/// <see cref="AdmissionOptions.MaxWait"/>, and everyone else gets an honest 503 with a
/// Retry-After computed from the measured drain rate.
/// </summary>
/// <remarks>
/// Not System.Threading.RateLimiting's ConcurrencyLimiter: the scarce resource is a slot at some
/// distributor, released by whichever order finishes first, and a rejection must say when to
/// come back, which that limiter cannot.
/// </remarks>
internal sealed class AdmissionControl : IWaitEstimate
{
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Lock _lock = new();
    private readonly DrainRate _drain;
    private readonly AdmissionOptions _options;
    private readonly TimeProvider _time;
    private readonly IFleetThroughput? _throughput;
    private readonly WaitingLine? _line;
    private int _length;
    private int _entering;
    private long _serviceTimeTicks;

    /// <param name="throughput">The fleet's learned speed; without it (or before anything is learned) the drain rate stands in.</param>
    /// <param name="line">The places in line: keys away but due back soon count ahead of a newcomer; none in some unit tests.</param>
    public AdmissionControl(IOptions<AdmissionOptions> options, TimeProvider time, IFleetThroughput? throughput = null, WaitingLine? line = null)
    {
        _options = options.Value;
        _time = time;
        _throughput = throughput;
        _line = line;
        _drain = new DrainRate(time, _options.DrainWindowSeconds);
    }

    public int Length => Volatile.Read(ref _length);

    /// <summary>How long a full fleet's 503 waits before it is sent (<see cref="AdmissionOptions.RefusalPaceMilliseconds"/>).</summary>
    public TimeSpan RefusalPace => TimeSpan.FromMilliseconds(_options.RefusalPaceMilliseconds);

    /// <summary>Newcomers queue behind anyone already waiting, so the queue stays first come, first served.</summary>
    public bool HasWaiters => Length > 0;

    /// <summary>The wait at the back of the line: what a newcomer's 503 would say now.</summary>
    public TimeSpan EstimatedWait => Math.Max(_line?.Count ?? 0, Length) is > 0 and var waiting ? EstimateInLine(waiting + 1) : TimeSpan.Zero;

    /// <summary>
    /// The wait limit now: <see cref="AdmissionOptions.MaxWaitServiceTimes"/> service times, never less
    /// than <see cref="AdmissionOptions.MinWaitSeconds"/> nor more than MaxWait (<see cref="AdmissionOptions.WaitLimit"/>).
    /// </summary>
    public TimeSpan MaxWait => _options.WaitLimit(TimeSpan.FromTicks(Volatile.Read(ref _serviceTimeTicks)));

    /// <summary>
    /// The refusal a newcomer would get from the queue right now, or null: the caller can answer 503
    /// before writing anything, which keeps a 10× surge from turning into ledger writes.
    /// </summary>
    public AdmissionResult? RefusalNow() => Refusal(Volatile.Read(ref _entering), freeSlots: 0, long.MaxValue);

    /// <summary>
    /// Lets a newcomer through, or says why not, counting it from now until it queues or takes a
    /// slot (<see cref="AdmissionPass"/>): newcomers that passed but have not queued yet (their claim
    /// is being written) are in line too, so a burst is refused at the door instead of being
    /// written to the ledger and refused a moment later by a queue it filled.
    /// </summary>
    /// <param name="freeSlots">
    /// Orders the distributors could take now: newcomers up to that many need no place in the queue.
    /// Negative when orders already wait for a turn at the distributors: they are ahead too.
    /// </param>
    /// <param name="ticket">The key's place in line (<see cref="LinePlace.Ticket"/>); a key without one is at the back.</param>
    public AdmissionPass? TryEnter(int freeSlots, out AdmissionResult? refusal, long ticket = long.MaxValue)
    {
        var entering = Interlocked.Increment(ref _entering);
        refusal = Refusal(entering - 1, freeSlots, ticket);
        if (refusal is null)
        {
            return new AdmissionPass(this);
        }

        Interlocked.Decrement(ref _entering);
        return null;
    }

    internal void Left() => Interlocked.Decrement(ref _entering);

    private AdmissionResult? Refusal(int entering, int freeSlots, long ticket)
    {
        var queued = Ahead(ticket);
        var ahead = queued + entering - freeSlots;
        if (ahead < 0 || (queued == 0 && ahead == 0))
        {
            return null;
        }

        if (ahead >= _options.MaxQueueLength)
        {
            return Reject(AdmissionRejectionReason.QueueFull, queued);
        }

        return Estimate(ahead + 1) > LimitFor(returning: ticket != long.MaxValue) ? Reject(AdmissionRejectionReason.WaitTooLong, queued) : null;
    }

    /// <summary>How long one order took at a distributor; an exponential average, for the wait limit.</summary>
    public void RecordServiceTime(TimeSpan duration)
    {
        // Lock-free EWMA (weight 1/16): racing updates lose a sample at worst, not the average.
        var previous = Volatile.Read(ref _serviceTimeTicks);
        var next = previous == 0 ? duration.Ticks : previous + ((duration.Ticks - previous) / 16);
        Interlocked.CompareExchange(ref _serviceTimeTicks, next, previous);
    }

    /// <summary>
    /// Waits for this key's turn: not served at once, it takes its place in line (or has it), and waits
    /// here, present, in order of its first arrival (<see cref="WaitForSlotAsync"/>).
    /// </summary>
    public async Task<AdmissionResult> WaitForTurnAsync(string key, CancellationToken cancellationToken, Func<bool>? hasRoom = null)
    {
        if (_line is null)
        {
            return await WaitForSlotAsync(cancellationToken, hasRoom);
        }

        // A key already in line (told a Retry-After before) may wait for its turn longer than a newcomer.
        var returning = _line.Find(key) is not null;
        var ticket = _line.Take(key)?.Ticket ?? long.MaxValue;
        _line.Arrived(key);
        try
        {
            return await WaitForSlotAsync(cancellationToken, hasRoom, ticket, returning);
        }
        finally
        {
            _line.Left(key);
        }
    }

    /// <summary>Waits until some distributor slot is released for this purchase, or says why not.</summary>
    /// <param name="hasRoom">
    /// Whether some distributor has room now, asked once this purchase is in the queue: a slot freed
    /// between the caller's "no room" and its arrival here would otherwise wake nobody.
    /// </param>
    /// <returns>Admitted, with <see cref="AdmissionResult.Slot"/> set when a finishing order handed its slot over.</returns>
    /// <exception cref="OperationCanceledException">The applicant went away while waiting.</exception>
    /// <param name="ticket">The key's place in line: waiters are served in order of first arrival, not of their retries.</param>
    /// <param name="returning">A key back in line: it may wait up to <see cref="AdmissionOptions.TurnHoldSeconds"/>.</param>
    public async Task<AdmissionResult> WaitForSlotAsync(
        CancellationToken cancellationToken, Func<bool>? hasRoom = null, long ticket = long.MaxValue, bool returning = false)
    {
        var waiter = new TaskCompletionSource<SlotLease?>(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<Waiter> node;
        var dueSoon = DueSoonAhead(ticket);
        var limit = LimitFor(returning);
        lock (_lock)
        {
            if (_waiters.Count >= _options.MaxQueueLength)
            {
                return Reject(AdmissionRejectionReason.QueueFull, _waiters.Count);
            }

            var ahead = QueuedAhead(ticket);
            if (Estimate(ahead + dueSoon + 1) > limit)
            {
                return Reject(AdmissionRejectionReason.WaitTooLong, ahead + dueSoon);
            }

            node = InsertInOrder(new Waiter(ticket, waiter));
            _length = _waiters.Count;
        }

        if (node.Previous is null && hasRoom?.Invoke() == true && TryRemove(node))
        {
            return AdmissionResult.Admitted;
        }

        try
        {
            return AdmissionResult.AdmittedWith(await waiter.Task.WaitAsync(limit, _time, cancellationToken));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            if (!TryRemove(node))
            {
                // Signalled in the same instant it gave up: the slot is this purchase's after all,
                // and a slot handed over must not be dropped.
                return AdmissionResult.AdmittedWith(await waiter.Task);
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            return Reject(AdmissionRejectionReason.WaitTimedOut, Length);
        }
    }

    /// <summary>
    /// An order finished and its slot is still good: give the slot itself to the longest waiter,
    /// so no newcomer can take it in between and the waiter never queues again after a lost race.
    /// </summary>
    /// <param name="finished">The lease of the finished order; the waiter gets a lease of its own on the same slot.</param>
    /// <returns>False when nobody waits: the caller releases the slot as usual.</returns>
    public bool TryHandOff(SlotLease finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        _drain.Record();
        if (TakeFirst() is not { } next)
        {
            return false;
        }

        next.TrySetResult(finished.PassOn());
        return true;
    }

    /// <summary>
    /// A slot that just became free without an order finishing (a distributor's limit grew): given,
    /// already taken, to the longest waiter, since a waiter is only ever woken by a slot.
    /// </summary>
    /// <returns>False when nobody waits: the caller gives the slot up.</returns>
    public bool TryGive(SlotLease slot)
    {
        if (TakeFirst() is not { } next)
        {
            return false;
        }

        next.TrySetResult(slot);
        return true;
    }

    /// <summary>An order finished somewhere and its slot was released: count it, and wake the longest waiter to look for room.</summary>
    public void SlotReleased()
    {
        _drain.Record();
        TakeFirst()?.TrySetResult(null);
    }

    private TaskCompletionSource<SlotLease?>? TakeFirst()
    {
        lock (_lock)
        {
            if (_waiters.First is not { } first)
            {
                return null;
            }

            _waiters.RemoveFirst();
            _length = _waiters.Count;
            return first.Value.Completion;
        }
    }

    /// <summary>Seconds until the queue as it stands would have drained, for a Retry-After.</summary>
    public int RetryAfterSeconds(int queued) =>
        (int)Math.Clamp(Math.Ceiling(Estimate(queued + 1).TotalSeconds), 1, 60);

    /// <summary>
    /// When the place at <paramref name="position"/> (1 = next) is expected to be served: the places
    /// ahead weighed by the share of owners that come back, drained at every sharing gateway's speed.
    /// Nothing known: MaxWait, the longest anyone waits here.
    /// </summary>
    public TimeSpan EstimateInLine(int position)
    {
        var rate = Rate() * Math.Max(_line?.Gateways ?? 1, 1);
        var expected = 1 + (Math.Max(position, 1) - 1) * (_line?.ReturnShare ?? 1);
        return rate <= 0 ? MaxWait : TimeSpan.FromSeconds(expected / rate);
    }

    /// <summary>
    /// The Retry-After for an estimated wait: whole seconds rounded down, at least 1, so the key is back
    /// before its turn and waits the rest held (<see cref="AdmissionOptions.MinWaitSeconds"/>).
    /// </summary>
    public static int RetryAfterFor(TimeSpan wait) => (int)Math.Clamp(Math.Floor(wait.TotalSeconds), 1, MaxRetryAfterSeconds);

    /// <summary>The longest Retry-After given: an hour, beyond which an estimate says little.</summary>
    public const int MaxRetryAfterSeconds = 3600;

    private TimeSpan Estimate(int position)
    {
        if (position == 0)
        {
            return TimeSpan.Zero;
        }

        // The learned limits over the measured latencies say how fast the queue drains now, also
        // right after a distributor's capacity changed; the drain rate looks back a whole window.
        // Nothing known at all: a wait is only bounded by MaxWait.
        var rate = Rate();
        return rate <= 0 ? MaxWait : TimeSpan.FromSeconds(position / rate);
    }

    private double Rate() => _throughput?.OrdersPerSecond is > 0 and var learned ? learned : _drain.PerSecond();

    /// <summary>Ahead of a key with this ticket: those waiting here before it, and those away but due back within the wait limit.</summary>
    private int Ahead(long ticket)
    {
        var dueSoon = DueSoonAhead(ticket);
        lock (_lock)
        {
            return QueuedAhead(ticket) + dueSoon;
        }
    }

    /// <summary>Returns are spread over the sharing gateways: this one expects its share.</summary>
    private int DueSoonAhead(long ticket) =>
        _line is null ? 0 : (int)Math.Ceiling((double)_line.DueSoonAhead(ticket, _options.TurnLimit(MaxWait)) / Math.Max(_line.Gateways, 1));

    /// <summary>A key back in line may wait for its turn (<see cref="AdmissionOptions.TurnHoldSeconds"/>); a newcomer waits the plain limit.</summary>
    private TimeSpan LimitFor(bool returning) => returning ? _options.TurnLimit(MaxWait) : MaxWait;

    private int QueuedAhead(long ticket)
    {
        if (ticket == long.MaxValue || _waiters.Last is not { } last || last.Value.Ticket < ticket)
        {
            return _waiters.Count;
        }

        var ahead = 0;
        for (var node = _waiters.First; node is not null && node.Value.Ticket < ticket; node = node.Next)
        {
            ahead++;
        }

        return ahead;
    }

    /// <summary>After every waiter with the same or an earlier ticket: first come, first served by first arrival.</summary>
    private LinkedListNode<Waiter> InsertInOrder(Waiter waiter)
    {
        var after = _waiters.Last;
        while (after is not null && after.Value.Ticket > waiter.Ticket)
        {
            after = after.Previous;
        }

        return after is null ? _waiters.AddFirst(waiter) : _waiters.AddAfter(after, waiter);
    }

    private readonly record struct Waiter(long Ticket, TaskCompletionSource<SlotLease?> Completion);

    private AdmissionResult Reject(AdmissionRejectionReason reason, int queued) => new(false, reason, RetryAfterSeconds(queued));

    private bool TryRemove(LinkedListNode<Waiter> node)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return false;
            }

            _waiters.Remove(node);
            _length = _waiters.Count;
            return true;
        }
    }
}

/// <summary>A newcomer let through by <see cref="AdmissionControl.TryEnter"/>; disposing it (once it queued, took a slot or gave up) takes it out of the count.</summary>
internal sealed class AdmissionPass(AdmissionControl admission) : IDisposable
{
    private int _left;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _left, 1) == 0)
        {
            admission.Left();
        }
    }
}

internal enum AdmissionRejectionReason
{
    None,
    QueueFull,
    WaitTooLong,
    WaitTimedOut,
}

/// <param name="Slot">A slot handed over by a finishing order, already taken for this purchase, which now owns it; null when the purchase must find room itself.</param>
internal sealed record AdmissionResult(bool IsAdmitted, AdmissionRejectionReason Reason, int RetryAfterSeconds, SlotLease? Slot = null)
{
    public static readonly AdmissionResult Admitted = new(true, AdmissionRejectionReason.None, 0);

    public static AdmissionResult AdmittedWith(SlotLease? slot) => slot is null ? Admitted : new(true, AdmissionRejectionReason.None, 0, slot);
}
