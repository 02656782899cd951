namespace Meterai.Gateway.Distributors;

/// <summary>What the gateway currently knows about one distributor: load, stock and probe results.</summary>
/// <remarks>Read on every routing decision, so every member is a lock-free read.</remarks>
public sealed class DistributorState(DistributorEntry entry)
{
    /// <summary>Stock value meaning "not probed yet": routable, since refusing it would strand a new fleet.</summary>
    public const int UnknownStock = -1;

    private int _inFlight;
    private int _clusterCeiling = int.MaxValue;
    private int _stock = UnknownStock;

    public DistributorEntry Entry { get; } = entry;

    public string Id => Entry.Id;

    /// <summary>The registry's ceiling: never exceeded, whatever is learned.</summary>
    public int MaxConcurrency => Entry.MaxConcurrency;

    /// <summary>
    /// This gateway's share of <see cref="MaxConcurrency"/> when several gateways share the ledger
    /// (Cluster/ClusterMembership sets it); unbounded for a lone gateway. At least 1.
    /// </summary>
    public int ClusterCeiling
    {
        get => Volatile.Read(ref _clusterCeiling);
        set => Volatile.Write(ref _clusterCeiling, Math.Max(1, value));
    }

    /// <summary>The orders in flight the gateway allows this distributor now, never above <see cref="MaxConcurrency"/> nor this gateway's <see cref="ClusterCeiling"/>.</summary>
    public int ConcurrencyLimit => Math.Min(Entry.MaxConcurrency, ClusterCeiling);

    /// <summary>Orders at this distributor that have been sent and not yet answered.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Last known available stock, or <see cref="UnknownStock"/>.</summary>
    public int Stock => Volatile.Read(ref _stock);

    public bool MayHaveStock => Stock != 0;

    /// <summary>Result of the last active probe; null before the first.</summary>
    public bool? Healthy { get; private set; }

    public DateTimeOffset? LastProbedAt { get; private set; }

    public TimeSpan? LastProbeLatency { get; private set; }

    /// <summary>Takes one of the distributor's <see cref="ConcurrencyLimit"/> slots, or fails without waiting.</summary>
    public bool TryAcquireSlot()
    {
        var current = Volatile.Read(ref _inFlight);
        while (current < ConcurrencyLimit)
        {
            var seen = Interlocked.CompareExchange(ref _inFlight, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void ReleaseSlot() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Records stock; returns true when the distributor moved between sold out and not.</summary>
    public bool SetStock(int available)
    {
        var previous = Interlocked.Exchange(ref _stock, Math.Max(available, 0));
        return (previous == 0) != (available <= 0);
    }

    public void RecordProbe(bool healthy, DateTimeOffset at, TimeSpan latency)
    {
        Healthy = healthy;
        LastProbedAt = at;
        LastProbeLatency = latency;
    }
}
