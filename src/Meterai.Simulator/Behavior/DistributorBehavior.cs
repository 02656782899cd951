namespace Meterai.Simulator;

/// <summary>
/// Every misbehaviour switch of one simulated distributor. Tests and the control endpoint flip these
/// while requests are in flight, so every property is read and written atomically.
/// </summary>
public sealed class DistributorBehavior
{
    private int _down;
    private long _latencyTicks;
    private long _flapPeriodTicks;
    private int _idle;
    private double _chargeThenFailRate;
    private int _chargeThenFailAnswer = (int)FailureAnswer.Status500;
    private int _chargeThenFailOrderStatus = (int)OrderStatus.Issued;
    private double _stuckPendingRate;
    private long _stuckPendingForTicks = TimeSpan.FromHours(1).Ticks;
    private int _stuckPendingOutcome = (int)OrderStatus.Issued;
    private int _overloadFailure = (int)OverloadFailure.Reject503;
    private int _capacity;

    /// <summary>
    /// Raised after <see cref="Down"/> or <see cref="FlapPeriod"/> changes: the distributor has to stop or
    /// restart its listener, or restart the flapping cycle, without waiting for the next request.
    /// </summary>
    internal event Action<DistributorBehavior>? Changed;

    /// <summary>RefuseConnections really stops the listener; ServiceUnavailable answers 503 to everything incl. /health.</summary>
    public DownMode Down
    {
        get => (DownMode)Volatile.Read(ref _down);
        set
        {
            if ((DownMode)Interlocked.Exchange(ref _down, (int)value) != value)
            {
                Changed?.Invoke(this);
            }
        }
    }

    /// <summary>"Slow": added before every answer (health, stock, orders).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, NonNegative(value).Ticks);
    }

    /// <summary>"Flapping": zero = off; otherwise alternates healthy / down (503 to everything) each period, starting healthy when set.</summary>
    public TimeSpan FlapPeriod
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _flapPeriodTicks));
        set
        {
            if (Interlocked.Exchange(ref _flapPeriodTicks, NonNegative(value).Ticks) != NonNegative(value).Ticks)
            {
                Changed?.Invoke(this);
            }
        }
    }

    /// <summary>"Registered but idle": NoStock or RefuseOrders.</summary>
    public IdleMode Idle
    {
        get => (IdleMode)Volatile.Read(ref _idle);
        set => Volatile.Write(ref _idle, (int)value);
    }

    /// <summary>0..1: share of orders that are created and charged, then answered with <see cref="ChargeThenFailAnswer"/>.</summary>
    public double ChargeThenFailRate
    {
        get => Volatile.Read(ref _chargeThenFailRate);
        set => Volatile.Write(ref _chargeThenFailRate, Rate(value));
    }

    /// <summary>How a charge-then-fail order is answered.</summary>
    public FailureAnswer ChargeThenFailAnswer
    {
        get => (FailureAnswer)Volatile.Read(ref _chargeThenFailAnswer);
        set => Volatile.Write(ref _chargeThenFailAnswer, (int)value);
    }

    /// <summary>What a later lookup of a charge-then-fail order shows: Pending (for StuckPendingFor, then StuckPendingOutcome), Issued or Failed.</summary>
    public OrderStatus ChargeThenFailOrderStatus
    {
        get => (OrderStatus)Volatile.Read(ref _chargeThenFailOrderStatus);
        set => Volatile.Write(ref _chargeThenFailOrderStatus, (int)RequireNotRefunded(value));
    }

    /// <summary>0..1: share of orders answered 202 pending.</summary>
    public double StuckPendingRate
    {
        get => Volatile.Read(ref _stuckPendingRate);
        set => Volatile.Write(ref _stuckPendingRate, Rate(value));
    }

    /// <summary>How long stuck orders stay pending, by the distributor's TimeProvider.</summary>
    public TimeSpan StuckPendingFor
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _stuckPendingForTicks));
        set => Interlocked.Exchange(ref _stuckPendingForTicks, NonNegative(value).Ticks);
    }

    /// <summary>What stuck orders become once no longer pending: Issued (with serials) or Failed.</summary>
    public OrderStatus StuckPendingOutcome
    {
        get => (OrderStatus)Volatile.Read(ref _stuckPendingOutcome);
        set => Volatile.Write(ref _stuckPendingOutcome, (int)(value is OrderStatus.Issued or OrderStatus.Failed
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A stuck order ends Issued or Failed.")));
    }

    /// <summary>What happens past Capacity × CollapseFactor concurrent orders.</summary>
    public OverloadFailure OverloadFailure
    {
        get => (OverloadFailure)Volatile.Read(ref _overloadFailure);
        set => Volatile.Write(ref _overloadFailure, (int)value);
    }

    /// <summary>
    /// "Capacity changes mid-run": when positive, the concurrent orders served at full speed now, in
    /// place of the configured Capacity (its database or payment provider slowed); 0 = as configured.
    /// </summary>
    public int Capacity
    {
        get => Volatile.Read(ref _capacity);
        set => Volatile.Write(ref _capacity, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative."));
    }

    /// <summary>A one-line description for the console, e.g. "healthy" or "down(RefuseConnections), latency 00:00:02".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Down != DownMode.None)
        {
            parts.Add($"down({Down})");
        }

        if (FlapPeriod > TimeSpan.Zero)
        {
            parts.Add($"flapping every {FlapPeriod}");
        }

        if (Idle != IdleMode.None)
        {
            parts.Add($"idle({Idle})");
        }

        if (Latency > TimeSpan.Zero)
        {
            parts.Add($"latency {Latency}");
        }

        if (ChargeThenFailRate > 0)
        {
            parts.Add($"charge-then-fail {ChargeThenFailRate:P0} -> {ChargeThenFailAnswer}/{ChargeThenFailOrderStatus}");
        }

        if (StuckPendingRate > 0)
        {
            parts.Add($"stuck-pending {StuckPendingRate:P0} for {StuckPendingFor} -> {StuckPendingOutcome}");
        }

        if (Capacity > 0)
        {
            parts.Add($"capacity now {Capacity}");
        }

        if (OverloadFailure != OverloadFailure.Reject503)
        {
            parts.Add($"overload {OverloadFailure}");
        }

        return parts.Count == 0 ? "healthy" : string.Join(", ", parts);
    }

    private static TimeSpan NonNegative(TimeSpan value) =>
        value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");

    private static double Rate(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A rate is between 0 and 1.");

    private static OrderStatus RequireNotRefunded(OrderStatus value) =>
        value != OrderStatus.Refunded ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A charged order is not refunded by itself.");
}
