using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Admission;

/// <summary>The gateway-wide queue in front of the distributors' concurrency limits. Bound from <c>Admission</c>.</summary>
internal sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Purchases that may wait for a free distributor slot at once; more are answered 503 at once. Default: 2000.</summary>
    [Range(0, 1_000_000)]
    public int MaxQueueLength { get; set; } = 2000;

    /// <summary>Longest a purchase ever waits for a slot, whatever the distributors' speed. Default: 5 seconds.</summary>
    [Range(0d, 300d)]
    public double MaxWaitSeconds { get; set; } = 5;

    /// <summary>
    /// Longest a purchase waits, in multiples of the distributors' measured service time, so a sold
    /// purchase takes at most about (1 + this) service times. Default: 1, which kept the fleet at
    /// 0.98 of its capacity with a p99 of 2.7 service times under a 10× surge (docs/benchmarks.md).
    /// </summary>
    [Range(0d, 100d, MinimumIsExclusive = true)]
    public double MaxWaitServiceTimes { get; set; } = 1;

    /// <summary>
    /// Shortest wait limit, whatever the service time: a near-free distributor answers in 0.1 ms, less
    /// than the gateway itself spends on one purchase, and a limit that small refuses applicants while
    /// the distributor sits idle (issue 27). Below what an applicant notices. Default: 0.05 seconds.
    /// </summary>
    [Range(0d, 300d)]
    public double MinWaitSeconds { get; set; } = 0.05;

    /// <summary>
    /// How long a key back from a Retry-After may wait for its turn, held, whatever the service time
    /// (never above MaxWaitSeconds). A Retry-After has whole seconds, rounded down, so the key is back
    /// up to a second early: it waits the rest here rather than being sent away again and overtaken
    /// while away (docs/order-of-service.md). Default: 1.5 seconds.
    /// </summary>
    [Range(0d, 300d)]
    public double TurnHoldSeconds { get; set; } = 1.5;

    /// <summary>
    /// A full fleet's 503 is sent this much late. Clients that ignore Retry-After (bots, a retry loop)
    /// then spin slower, and the two cores the refusals took go back to selling; an applicant told to
    /// come back in seconds does not notice. 0 answers at once. Default: 250 milliseconds.
    /// </summary>
    [Range(0, 5000)]
    public int RefusalPaceMilliseconds { get; set; } = 250;

    /// <summary>Completed orders over this window give the drain rate behind waits and Retry-After. Default: 10 seconds.</summary>
    [Range(1, 600)]
    public int DrainWindowSeconds { get; set; } = 10;

    /// <summary>Places in line at most (docs/order-of-service.md); past it a refused key gets no place and queues as new. Default: 100000.</summary>
    [Range(0, 10_000_000)]
    public int MaxPlaces { get; set; } = 100_000;

    /// <summary>
    /// A place whose owner is away this long past its Retry-After stops counting ahead of others, so
    /// abandoned places never hold the line; it keeps its priority for the spec's grace. Default: 1 second.
    /// </summary>
    [Range(0d, 60d)]
    public double LateAfterSeconds { get; set; } = 1;

    /// <summary>On a shared (PostgreSQL) ledger, how often a gateway writes its line's changes and reads the others' (Admission/PlaceSync). Default: 250 milliseconds.</summary>
    [Range(10, 60_000)]
    public int PlaceSyncMilliseconds { get; set; } = 250;

    public TimeSpan MaxWait => TimeSpan.FromSeconds(MaxWaitSeconds);

    public TimeSpan LateAfter => TimeSpan.FromSeconds(LateAfterSeconds);

    /// <summary>The wait limit for a key back in line: the newcomers' <paramref name="limit"/>, or <see cref="TurnHoldSeconds"/> if longer, never above MaxWait.</summary>
    public TimeSpan TurnLimit(TimeSpan limit) =>
        TimeSpan.FromTicks(Math.Max(limit.Ticks, Math.Min(TimeSpan.FromSeconds(TurnHoldSeconds).Ticks, MaxWait.Ticks)));

    /// <summary>
    /// The wait limit for a measured service time: <see cref="MaxWaitServiceTimes"/> of it, never below
    /// <see cref="MinWaitSeconds"/> nor above <see cref="MaxWait"/>; MaxWait before anything was measured.
    /// </summary>
    public TimeSpan WaitLimit(TimeSpan serviceTime)
    {
        if (serviceTime <= TimeSpan.Zero)
        {
            return MaxWait;
        }

        var floor = Math.Min(TimeSpan.FromSeconds(MinWaitSeconds).Ticks, MaxWait.Ticks);
        return TimeSpan.FromTicks(Math.Clamp((long)(serviceTime.Ticks * MaxWaitServiceTimes), floor, MaxWait.Ticks));
    }
}
