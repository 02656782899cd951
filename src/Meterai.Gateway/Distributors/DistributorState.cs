using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Distributors;

/// <summary>What the gateway currently knows about one distributor: load, stock and probe results.</summary>
/// <remarks>Read on every routing decision, so every member is a lock-free read.</remarks>
/// <param name="readyShare">Slots beyond the limit for orders written and ready to go, as a share of the limit (<see cref="CapacityOptions.ReadyShare"/>); 0 for none.</param>
internal sealed class DistributorState(DistributorEntry entry, ConcurrencyLimiter? limiter = null, double readyShare = 0)
{
    /// <summary>Stock value meaning "not probed yet": routable, since refusing it would strand a new fleet.</summary>
    public const int UnknownStock = -1;

    private readonly ConcurrencyLimiter _limiter = limiter ?? FixedLimitAlgorithm.For(entry.MaxConcurrency);
    private readonly SendGate _sendGate = new();
    private int _taken;
    private int _stock = UnknownStock;
    private int _refusing;
    private volatile bool _noShare;

    public DistributorEntry Entry { get; } = entry;

    public string Id => Entry.Id;

    /// <summary>The registry's ceiling: never exceeded, whatever is learned.</summary>
    public int MaxConcurrency => Entry.MaxConcurrency;

    /// <summary>
    /// The orders in flight the gateway allows this distributor now: learned from its answers
    /// (Capacity/), never above <see cref="Ceiling"/>.
    /// </summary>
    public int ConcurrencyLimit => _noShare ? 0 : _limiter.Limit;

    /// <summary>The most <see cref="ConcurrencyLimit"/> may be: <see cref="MaxConcurrency"/>, or this gateway's share of it.</summary>
    public int Ceiling => _limiter.Ceiling;

    /// <summary>Smoothed latency of this distributor's answers to orders; zero before the first.</summary>
    public TimeSpan Latency => _limiter.Latency;

    /// <summary>Whether the learned limit would grow on its next healthy window with demand (<see cref="ConcurrencyLimiter.CouldGrow"/>).</summary>
    public bool CouldGrow => !_noShare && _limiter.CouldGrow;

    /// <summary>The limit the wait estimate counts on (<see cref="ConcurrencyLimiter.HeadedFor"/>).</summary>
    public int HeadedFor => _noShare ? 0 : _limiter.HeadedFor;

    /// <summary>Orders at this distributor that have been sent and not yet answered: never above <see cref="ConcurrencyLimit"/>.</summary>
    public int InFlight => _sendGate.Sending;

    /// <summary>
    /// Slots: places for purchases at this distributor, whose attempt is being written, is written and
    /// ready to go, or was sent. The limit's worth, plus <see cref="ReadySlots"/>.
    /// </summary>
    public int Slots => _noShare ? 0 : ConcurrencyLimit + ReadySlots;

    /// <summary>
    /// Slots beyond the limit, for orders recorded in the ledger while the distributor is full, so
    /// that one is ready to go the moment an order finishes: a share of the limit, at least one.
    /// </summary>
    public int ReadySlots => readyShare <= 0 ? 0 : Math.Max(1, (int)Math.Ceiling(ConcurrencyLimit * readyShare));

    /// <summary>Slots taken now (<see cref="Slots"/>).</summary>
    public int Taken => Volatile.Read(ref _taken);

    /// <summary>Last known available stock, or <see cref="UnknownStock"/>.</summary>
    public int Stock => Volatile.Read(ref _stock);

    public bool MayHaveStock => Stock != 0;

    /// <summary>
    /// It refused an order without charging (docs/api/distributor-api.md: 400, 401, 422, 503) and has sold
    /// nothing since: not selling (<see cref="Routing.SellingNow"/>), whatever its probes say.
    /// Cleared by its next sale, not by time: a refusal pause ending proves nothing.
    /// </summary>
    public bool RefusingOrders => Volatile.Read(ref _refusing) == 1;

    /// <summary>Result of the last active probe; null before the first.</summary>
    public bool? Healthy { get; private set; }

    public DateTimeOffset? LastProbedAt { get; private set; }

    public TimeSpan? LastProbeLatency { get; private set; }

    /// <summary>Takes one of the distributor's <see cref="Slots"/>, or fails without waiting.</summary>
    public bool TryAcquireSlot()
    {
        var current = Volatile.Read(ref _taken);
        while (current < Slots)
        {
            var seen = Interlocked.CompareExchange(ref _taken, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void ReleaseSlot() => Interlocked.Decrement(ref _taken);

    /// <summary>
    /// Waits, holding a slot, until this order may be sent without taking the distributor past its
    /// limit: at once when it has room, otherwise when an order ahead finishes.
    /// </summary>
    /// <returns>False when no turn came within <paramref name="timeout"/>: the order must not be sent.</returns>
    public ValueTask<bool> WaitToSendAsync(TimeSpan timeout, TimeProvider time) => _sendGate.EnterAsync(ConcurrencyLimit, timeout, time);

    /// <summary>A sent order was answered (or failed): the next order ready to go is let through.</summary>
    public void FinishSend() => _sendGate.Exit(ConcurrencyLimit);

    /// <summary>
    /// Lowers or raises the ceiling at run time (several gateways share the registry's limit); never above
    /// <see cref="MaxConcurrency"/>. 0: this gateway's share is nothing, and it sends the distributor nothing.
    /// </summary>
    public void SetCeiling(int ceiling)
    {
        _noShare = ceiling <= 0;
        _limiter.SetCeiling(Math.Clamp(ceiling, 1, MaxConcurrency));
        _sendGate.Pump(ConcurrencyLimit);
    }

    /// <summary>One finished attempt, for the learned limit.</summary>
    public void RecordCapacity(in CapacitySample sample) => _limiter.Record(sample);

    /// <summary>An applicant waited or was refused for want of room here (<see cref="ConcurrencyLimiter.NoteDemand"/>).</summary>
    public void NoteDemand() => _limiter.NoteDemand();

    /// <summary>Records stock; returns true when the distributor moved between sold out and not.</summary>
    public bool SetStock(int available)
    {
        var previous = Interlocked.Exchange(ref _stock, Math.Max(available, 0));
        return (previous == 0) != (available <= 0);
    }

    /// <summary>One answer to an order, for <see cref="RefusingOrders"/>: a sale clears it, a refusal without charge sets it.</summary>
    public void RecordOrderAnswer(bool sold, bool refused)
    {
        if (sold)
        {
            Volatile.Write(ref _refusing, 0);
        }
        else if (refused)
        {
            Volatile.Write(ref _refusing, 1);
        }
    }

    public void RecordProbe(bool healthy, DateTimeOffset at, TimeSpan latency)
    {
        Healthy = healthy;
        LastProbedAt = at;
        LastProbeLatency = latency;
    }
}
