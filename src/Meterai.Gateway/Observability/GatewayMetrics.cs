using System.Diagnostics.Metrics;
using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Observability;

/// <summary>
/// The gateway's own instruments (meter <see cref="MeterName"/>). Their names map to the gateway
/// spec's Prometheus families: dots become underscores, counters gain <c>_total</c>, seconds
/// gain <c>_seconds</c>.
/// </summary>
/// <remarks>
/// Labels are bounded: <c>distributor</c> only ever holds a registry id or "none", the others
/// fixed vocabularies. Nothing an applicant sends (keys, references) is ever a label.
/// </remarks>
public sealed class GatewayMetrics
{
    public const string MeterName = "Meterai.Gateway";

    /// <summary>The distributor label when no distributor was involved.</summary>
    public const string NoDistributor = "none";

    private readonly Counter<long> _purchases;
    private readonly Histogram<double> _purchaseDuration;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _probeDuration;
    private readonly Counter<long> _admissionRejected;
    private readonly Counter<long> _resilienceEvents;

    public GatewayMetrics(IMeterFactory meterFactory, DistributorFleet fleet, LedgerGauges ledger)
    {
        var meter = meterFactory.Create(MeterName);
        _purchases = meter.CreateCounter<long>("meterai.purchases", "{purchase}",
            "Purchase requests answered, by the distributor that answered (none when no distributor did) and the outcome.");
        _purchaseDuration = meter.CreateHistogram<double>("meterai.purchase.duration", "s",
            "Time from a purchase request's arrival to the gateway's answer, by outcome.");
        _attempts = meter.CreateCounter<long>("meterai.distributor.attempts", "{attempt}",
            "Orders offered to a distributor, by what its answer meant: issued, pending, sold_out, refused, ambiguous.");
        _probeDuration = meter.CreateHistogram<double>("meterai.distributor.probe.duration", "s",
            "Duration of an active probe of a distributor (health and stock), by distributor.");
        _admissionRejected = meter.CreateCounter<long>("meterai.admission.rejected", "{request}",
            "Purchase requests answered 503 with Retry-After, by reason; nothing was charged for any of them.");
        _resilienceEvents = meter.CreateCounter<long>("meterai.resilience.events", "{event}",
            "Polly resilience events (timeouts, retries, circuit breaker transitions), by pipeline and event.");

        meter.CreateObservableGauge("meterai.distributor.up",
            () => PerDistributor(fleet, d => d.Healthy is null ? null : d.Healthy.Value ? 1 : 0),
            description: "1 when the distributor's last active probe found it able to sell, 0 when not.");
        meter.CreateObservableGauge("meterai.distributor.stock",
            () => PerDistributor(fleet, d => d.Stock == DistributorState.UnknownStock ? null : d.Stock),
            description: "E-Meterai the distributor can issue now, as last probed or learnt from a sold-out answer.");
        meter.CreateObservableGauge("meterai.distributor.inflight",
            () => PerDistributor(fleet, d => d.InFlight),
            description: "Orders sent to the distributor and not yet answered.");
        meter.CreateObservableGauge("meterai.distributor.max_concurrency",
            () => PerDistributor(fleet, d => d.MaxConcurrency),
            description: "The distributor's registry maxConcurrency: the ceiling its learned limit never exceeds.");
        meter.CreateObservableGauge("meterai.distributor.concurrency_limit",
            () => PerDistributor(fleet, d => d.ConcurrencyLimit),
            description: "The orders in flight the gateway allows the distributor now: learned, never above maxConcurrency.");
        meter.CreateObservableGauge("meterai.distributor.active",
            () => PerDistributor(fleet, d => ledger.IsFlagged(d.Id) ? 0 : 1),
            description: "1 when the distributor is active, 0 while the activity audit has a flag open on it.");
        meter.CreateObservableGauge("meterai.flags.open",
            () => ledger.OpenFlagsByReason.Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("reason", p.Key))),
            description: "Open activity flags, by reason (unreachable, no_stock, no_sales, undelivered).");
        meter.CreateObservableGauge("meterai.purchases.unresolved",
            () => ledger.Unresolved,
            description: "Purchases that were, or may have been, charged and are not yet delivered or refunded.");
        meter.CreateObservableGauge("meterai.refunds.due",
            () => ledger.RefundsDue,
            description: "Purchases owed a refund that the distributor has not yet confirmed.");
    }

    /// <param name="outcome">issued, pending, failed, rejected or unavailable (gateway spec).</param>
    public void PurchaseAnswered(string? distributorId, string outcome, TimeSpan duration)
    {
        var distributor = new KeyValuePair<string, object?>("distributor", distributorId ?? NoDistributor);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        _purchases.Add(1, distributor, outcomeTag);
        _purchaseDuration.Record(duration.TotalSeconds, outcomeTag);
    }

    public void AttemptAnswered(string distributorId, string result) =>
        _attempts.Add(1, new KeyValuePair<string, object?>("distributor", distributorId), new KeyValuePair<string, object?>("result", result));

    public void Probed(string distributorId, TimeSpan duration) =>
        _probeDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("distributor", distributorId));

    public void AdmissionRejected(string reason) =>
        _admissionRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ResilienceEvent(string pipeline, string strategy, string eventName) =>
        _resilienceEvents.Add(
            1,
            new KeyValuePair<string, object?>("pipeline", pipeline),
            new KeyValuePair<string, object?>("strategy", strategy),
            new KeyValuePair<string, object?>("event", eventName));

    private static IEnumerable<Measurement<long>> PerDistributor(DistributorFleet fleet, Func<DistributorState, long?> value)
    {
        foreach (var distributor in fleet.All)
        {
            if (value(distributor) is { } v)
            {
                yield return new Measurement<long>(v, new KeyValuePair<string, object?>("distributor", distributor.Id));
            }
        }
    }
}

/// <summary>The outcome label values of <c>meterai_purchases_total</c> (gateway spec).</summary>
public static class PurchaseOutcomes
{
    public const string Issued = "issued";
    public const string Pending = "pending";
    public const string Failed = "failed";
    public const string Rejected = "rejected";
    public const string Unavailable = "unavailable";

    /// <summary>What an answer's status code means for the applicant.</summary>
    public static string FromStatusCode(int statusCode) => statusCode switch
    {
        StatusCodes.Status201Created => Issued,
        StatusCodes.Status202Accepted => Pending,
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        >= 400 and < 500 => Rejected,
        _ => Failed,
    };
}

/// <summary>The reason label values of <c>meterai_admission_rejected_total</c>.</summary>
public static class AdmissionRejections
{
    /// <summary>No distributor was healthy, in stock and willing.</summary>
    public const string NoDistributor = "no_distributor";

    /// <summary>Every distributor was at its limit and the admission queue was full.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>Every distributor was at its limit and the estimated wait was longer than the maximum.</summary>
    public const string WaitTooLong = "wait_too_long";

    /// <summary>The purchase waited the maximum in the queue and no slot came free.</summary>
    public const string WaitTimedOut = "wait_timed_out";

    /// <summary>The ledger could not record the purchase, so it was not started.</summary>
    public const string LedgerUnavailable = "ledger_unavailable";

    public static string From(Admission.AdmissionRejectionReason reason) => reason switch
    {
        Admission.AdmissionRejectionReason.QueueFull => QueueFull,
        Admission.AdmissionRejectionReason.WaitTooLong => WaitTooLong,
        _ => WaitTimedOut,
    };
}
