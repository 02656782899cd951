using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Capacity;

/// <summary>How each distributor's concurrency limit is learned (docs/capacity.md). Bound from <c>Capacity</c>.</summary>
internal sealed class CapacityOptions
{
    public const string Section = "Capacity";

    /// <summary>Learn each distributor's limit from its answers; false keeps the registry's <c>maxConcurrency</c> as the limit. Default: true.</summary>
    public bool Learning { get; set; } = true;

    /// <summary>The learning algorithm, one of <see cref="ConcurrencyLimitAlgorithmNames"/>. Default: Gradient.</summary>
    public string Algorithm { get; set; } = ConcurrencyLimitAlgorithmNames.Gradient;

    /// <summary>The limit a distributor starts at, before anything is learned (cut to its ceiling). Default: 2.</summary>
    [Range(1, 10_000)]
    public int InitialLimit { get; set; } = 2;

    /// <summary>Rising latency alone never takes the limit below this; overload signals (429, 503, timeouts) can take it to 1. Default: 2.</summary>
    [Range(1, 10_000)]
    public int MinLimit { get; set; } = 2;

    /// <summary>Answers a measurement window needs at least; a window also holds at least one limit's worth. Default: 3.</summary>
    [Range(1, 10_000)]
    public int WindowSamples { get; set; } = 3;

    /// <summary>A window's median latency above the baseline by more than this share counts as rising (Envoy's buffer). Default: 0.25.</summary>
    [Range(0d, 10d)]
    public double LatencyTolerance { get; set; } = 0.25;

    /// <summary>
    /// A window's latency must also be this much above the baseline to count as rising: below it,
    /// a change is the gateway's and the loopback's own queueing, not a distributor's, and an
    /// applicant would not notice it. Default: 5 ms, above the 2–6 ms a cold gateway on two cores
    /// adds at 32 connections (docs/capacity.md); it only matters for distributors faster than 20 ms.
    /// </summary>
    [Range(0d, 10_000d)]
    public double NoiseFloorMilliseconds { get; set; } = 5;

    /// <summary>The baseline latency is the lowest window median of the last one to two such periods, so it follows a distributor that really got slower. Default: 10 seconds.</summary>
    [Range(0d, 3600d, MinimumIsExclusive = true)]
    public double MinLatencyWindowSeconds { get; set; } = 10;

    /// <summary>Once a limit proved too high, the limiter tries it again only after this long. Default: 10 seconds.</summary>
    [Range(0d, 3600d)]
    public double ProbeIntervalSeconds { get; set; } = 10;

    /// <summary>The share of the limit kept on an overload signal (429, 503 under load, timeout). Default: 0.5.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double OverloadBackoff { get; set; } = 0.5;

    /// <summary>
    /// Slots beyond each distributor's limit, as a share of it (at least one when above 0), for orders
    /// whose attempt is recorded while the distributor is full and that are sent the moment one of
    /// its orders finishes: the ledger write then never holds a slot idle. 0 records each attempt
    /// only once a slot is free. Never lets more than the limit be sent. Default: 0.5.
    /// </summary>
    [Range(0d, 1d)]
    public double ReadyShare { get; set; } = 0.5;

    public TimeSpan NoiseFloor => TimeSpan.FromMilliseconds(NoiseFloorMilliseconds);

    public TimeSpan MinLatencyWindow => TimeSpan.FromSeconds(MinLatencyWindowSeconds);

    public TimeSpan ProbeInterval => TimeSpan.FromSeconds(ProbeIntervalSeconds);
}
