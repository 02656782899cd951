using System.ComponentModel.DataAnnotations;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Reconciliation;

/// <summary>How unresolved purchases are followed up. Bound from <c>Reconciliation</c>.</summary>
internal sealed class ReconciliationOptions
{
    public const string Section = "Reconciliation";

    /// <summary>Used when <see cref="BackoffSeconds"/> is not configured.</summary>
    public static readonly IReadOnlyList<double> DefaultBackoffSeconds = [0, 30, 60, 120, 300, 600];

    /// <summary>How often a reconciliation pass runs. Default: 60 seconds.</summary>
    [Range(1d, 86_400d)]
    public double IntervalSeconds { get; set; } = 60;

    /// <summary>A charged purchase not delivered this long after it was made becomes <c>refund_due</c>. Default: 30 minutes.</summary>
    [Range(0d, 10_080d, MinimumIsExclusive = true)]
    public double DeliveryDeadlineMinutes { get; set; } = 30;

    /// <summary>
    /// Wait after each inconclusive check of one purchase: entry k is the wait after its k-th check,
    /// and the last entry repeats. Entry 0 is the wait before the first check, which the purchase
    /// path already makes immediate (a pending answer is due at once). Checks happen on passes, so a
    /// wait shorter than <see cref="IntervalSeconds"/> means "the next pass".
    /// Default: 0, 30, 60, 120, 300, 600.
    /// </summary>
    /// <remarks>
    /// Null rather than an initialised array on purpose: the configuration binder appends to an
    /// existing array, so a configured schedule would otherwise be glued onto the default one.
    /// </remarks>
    [Range(0d, 86_400d)]
    public double[]? BackoffSeconds { get; set; }

    /// <summary>Purchases looked at in one pass at most, oldest due first. Default: 200.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>Distributor calls in flight at once across the whole pass. Default: 8.</summary>
    [Range(1, 256)]
    public int MaxParallelism { get; set; } = 8;

    /// <summary>
    /// Calls in flight at once to any one distributor, so that a slow one holds at most this many of
    /// <see cref="MaxParallelism"/> and the others keep being reconciled. Default: 2.
    /// </summary>
    [Range(1, 256)]
    public int MaxParallelismPerDistributor { get; set; } = 2;

    /// <summary>Each distributor call (look-up or refund) is cut off after this. Default: 5 seconds.</summary>
    [Range(0d, 300d, MinimumIsExclusive = true)]
    public double CallTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// After this many failed calls in a row to one distributor in one pass, its remaining purchases
    /// in that pass are put back on their backoff without being called. Default: 3.
    /// </summary>
    [Range(1, 1000)]
    public int FailuresBeforeSkippingDistributor { get; set; } = 3;

    /// <summary>
    /// How long after an attempt without a definite answer its distributor is still asked for an
    /// order by key, once the purchase was released or sold elsewhere: an order that shows up is
    /// an orphan, refunded. Default: 24 hours.
    /// </summary>
    [Range(0d, 8_760d, MinimumIsExclusive = true)]
    public double OrphanHorizonHours { get; set; } = 24;

    public TimeSpan OrphanHorizon => TimeSpan.FromHours(OrphanHorizonHours);

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public TimeSpan DeliveryDeadline => TimeSpan.FromMinutes(DeliveryDeadlineMinutes);

    public TimeSpan CallTimeout => TimeSpan.FromSeconds(CallTimeoutSeconds);

    public IReadOnlyList<double> Backoff => BackoffSeconds is { Length: > 0 } configured ? configured : DefaultBackoffSeconds;

    /// <summary>The wait after a purchase's <paramref name="checks"/>-th check (the last entry repeats).</summary>
    public TimeSpan BackoffAfter(int checks)
    {
        var schedule = Backoff;
        return TimeSpan.FromSeconds(schedule[Math.Clamp(checks, 0, schedule.Count - 1)]);
    }

    /// <summary>
    /// How long a purchase request can keep its ledger row <c>in_progress</c> while its gateway is
    /// alive, with margin: twice the failover budget, plus one attempt's timeout and the look-ups
    /// of an ambiguous answer. A row untouched for longer belongs to a gateway that died mid-request.
    /// </summary>
    public static TimeSpan RequestLifetime(PurchasingOptions purchasing)
    {
        ArgumentNullException.ThrowIfNull(purchasing);
        var lookups = (purchasing.LookupRetries + 1) * purchasing.LookupTimeoutSeconds + purchasing.LookupRetries * purchasing.LookupRetryDelaySeconds;
        return TimeSpan.FromSeconds((2 * purchasing.TotalBudgetSeconds) + purchasing.AttemptTimeoutSeconds + lookups);
    }

    /// <summary>Why the options cannot be used (the first key out of its range), or null when they can.</summary>
    internal string? Problem() => Settings.OptionRanges.Check(Section, this) is { Count: > 0 } failures ? failures[0] : null;
}
