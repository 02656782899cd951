namespace Meterai.Gateway.Capacity;

/// <summary>
/// One distributor's learned concurrency limit: always within [1, <see cref="Ceiling"/>]. Samples
/// come in from every finished attempt; the limit is read on every routing decision, lock-free.
/// </summary>
/// <remarks>
/// The ceiling can change at run time (<see cref="SetCeiling"/>): several gateways split a
/// distributor's registry limit between them, and a learned value above a new ceiling is cut at once.
/// </remarks>
internal abstract class ConcurrencyLimiter
{
    private readonly Lock _lock = new();
    private int _limit;
    private int _ceiling;
    private long _latencyTicks;
    private int _demand;

    protected ConcurrencyLimiter(int ceiling, int initial)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, 1);
        _ceiling = ceiling;
        _limit = Math.Clamp(initial, 1, ceiling);
    }

    /// <summary>Orders the distributor may have in flight now.</summary>
    public int Limit => Volatile.Read(ref _limit);

    /// <summary>The most it may ever be: the registry's <c>maxConcurrency</c>, or this gateway's share of it.</summary>
    public int Ceiling => Volatile.Read(ref _ceiling);

    /// <summary>Smoothed latency of answered orders (exponential average, weight 1/8); zero before the first.</summary>
    public TimeSpan Latency => TimeSpan.FromTicks(Volatile.Read(ref _latencyTicks));

    /// <summary>
    /// Whether this limiter would raise the limit on its next healthy window with demand: below the
    /// ceiling, and not held below a limit that proved too high lately (429, 503, timeouts, rising
    /// latency). An applicant refused while a healthy distributor could grow was refused for want
    /// of learning, not of capacity (docs/capacity.md).
    /// </summary>
    public virtual bool CouldGrow => Limit < Ceiling;

    /// <summary>
    /// The limit a wait estimate should count on: <see cref="Limit"/>, or, while the limit still doubles
    /// every round trip (slow start, no sign of overload yet), the ceiling it is headed for. Lock-free.
    /// </summary>
    public virtual int HeadedFor => Limit;

    /// <summary>
    /// An applicant waited or was refused for want of room: the limit is what holds it back, even
    /// when the orders in flight are below it (their ledger writes, a refusal at the door). Lock-free.
    /// </summary>
    public void NoteDemand() => Volatile.Write(ref _demand, 1);

    public void SetCeiling(int ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, 1);
        lock (_lock)
        {
            Volatile.Write(ref _ceiling, ceiling);
            Publish(OnCeilingChanged(ceiling));
        }
    }

    public void Record(in CapacitySample sample)
    {
        if (sample.Signal == CapacitySignal.None)
        {
            return;
        }

        lock (_lock)
        {
            if (sample.Signal == CapacitySignal.Answered)
            {
                var previous = _latencyTicks;
                Volatile.Write(ref _latencyTicks, previous == 0 ? sample.Latency.Ticks : previous + ((sample.Latency.Ticks - previous) / 8));
            }

            Publish(Learn(sample));
        }
    }

    /// <summary>The new limit after one sample; called under the limiter's lock, so implementations keep plain fields.</summary>
    protected abstract double Learn(in CapacitySample sample);

    /// <summary>Whether <see cref="NoteDemand"/> was called since the last time this was asked.</summary>
    protected bool TakeDemand() => Interlocked.Exchange(ref _demand, 0) != 0;

    /// <summary>The limit after the ceiling moved; by default the current value cut to the new ceiling.</summary>
    protected virtual double OnCeilingChanged(int ceiling) => Limit;

    private void Publish(double limit)
    {
        // Whole orders only, and rounding down: a limit of 4.9 must not send a fifth order.
        var whole = double.IsFinite(limit) ? (int)Math.Floor(Math.Clamp(limit, 1, _ceiling)) : _ceiling;
        Volatile.Write(ref _limit, whole);
    }
}
