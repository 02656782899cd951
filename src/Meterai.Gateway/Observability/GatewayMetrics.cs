using Meterai.Gateway.Distributors;
using Prometheus;

namespace Meterai.Gateway.Observability;

/// <summary>
/// The gateway's own families (docs/api/gateway-api.md, "SREs"), in the host's prometheus-net registry.
/// Every label value known in advance (each registered distributor, each outcome, result and
/// reason) is exported from the first scrape at 0, so a rate or an absent() never depends on
/// whether something has happened yet.
/// </summary>
/// <remarks>
/// Labels are bounded: <c>distributor</c> only ever holds a registry id or "none", the others
/// fixed vocabularies. Nothing an applicant sends (keys, references) is ever a label.
/// Several gateways on one ledger report the same fleet and ledger gauges, so dashboards take
/// their max, not their sum.
/// </remarks>
internal sealed class GatewayMetrics : IOversightGauges
{
    /// <summary>The distributor label when no distributor was involved.</summary>
    public const string NoDistributor = "none";

    /// <summary>Purchases answer within the 20 s total budget (Purchasing:TotalBudgetSeconds); 30 s leaves a bucket above it.</summary>
    internal static readonly double[] PurchaseDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

    /// <summary>A wait in line runs from a second to minutes: a rush of thousands at tens a second.</summary>
    internal static readonly double[] QueueWaitBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

    /// <summary>A probe is bounded by Probing:TimeoutSeconds (default 5 s).</summary>
    internal static readonly double[] ProbeDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The result label values of <c>meterai_distributor_attempts_total</c>: what <c>AttemptClassifier.LedgerName</c> gives.</summary>
    internal static readonly string[] AttemptResults = ["issued", "pending", "sold_out", "refused", "ambiguous"];

    private readonly DistributorFleet _fleet;
    private readonly Counter _purchases;
    private readonly Counter _replays;
    private readonly Histogram _purchaseDuration;
    private readonly Counter _attempts;
    private readonly Histogram _probeDuration;
    private readonly Counter _admissionRejected;
    private readonly Counter _refusedWithRoom;
    private readonly Counter _resilienceEvents;
    private readonly Gauge _queueLength;
    private readonly Counter _placesTaken;
    private readonly Counter _placesLost;
    private readonly Histogram _queueWait;
    private readonly Gauge _up;
    private readonly Gauge _stock;
    private readonly Gauge _inFlight;
    private readonly Gauge _maxConcurrency;
    private readonly Gauge _concurrencyLimit;
    private readonly Gauge _active;
    private readonly Gauge _flagsOpen;
    private readonly Gauge _unresolved;
    private readonly Gauge _refundsDue;
    private volatile OversightReading _oversight = OversightReading.Empty;
    private IReadOnlyList<DistributorState> _labelled = [];

    public GatewayMetrics(CollectorRegistry registry, DistributorFleet fleet)
    {
        _fleet = fleet;
        var factory = Metrics.WithCustomRegistry(registry);
        _purchases = factory.CreateCounter("meterai_purchases_total",
            "Purchase requests answered, by the distributor that answered (none when no distributor did) and the outcome. Replays are not counted here.",
            "distributor", "outcome");
        _replays = factory.CreateCounter("meterai_purchase_replays_total",
            "Purchase requests answered with the stored answer of an earlier request with the same Idempotency-Key, by that answer's outcome. Nothing was sold for them.",
            "outcome");
        _purchaseDuration = factory.CreateHistogram("meterai_purchase_duration_seconds",
            "Time from a purchase request's arrival to the gateway's answer, by outcome.",
            new HistogramConfiguration { LabelNames = ["outcome"], Buckets = PurchaseDurationBuckets });
        _attempts = factory.CreateCounter("meterai_distributor_attempts_total",
            "Orders offered to a distributor, by what its answer meant: issued, pending, sold_out, refused, ambiguous.",
            "distributor", "result");
        _probeDuration = factory.CreateHistogram("meterai_distributor_probe_duration_seconds",
            "Duration of an active probe of a distributor (health and stock), by distributor.",
            new HistogramConfiguration { LabelNames = ["distributor"], Buckets = ProbeDurationBuckets });
        _admissionRejected = factory.CreateCounter("meterai_admission_rejected_total",
            "Purchase requests answered 503 with Retry-After, by reason; nothing was charged for any of them.",
            "reason");
        _refusedWithRoom = factory.CreateCounter("meterai_admission_refused_with_room_total",
            "Purchase requests the admission queue refused while a routable distributor's learned limit could still grow: refused for want of learning, not of capacity (docs/capacity.md).");
        _resilienceEvents = factory.CreateCounter("meterai_resilience_events_total",
            "Polly resilience events (timeouts, retries, circuit breaker transitions), by pipeline, strategy and event.",
            "pipeline", "strategy", "event");
        _queueLength = factory.CreateGauge("meterai_queue_length",
            "Places in line now: Idempotency-Keys waiting for their turn, here or away until their Retry-After (docs/order-of-service.md).");
        _placesTaken = factory.CreateCounter("meterai_queue_places_taken_total",
            "Places taken in line: keys that could not be served at their first arrival.");
        _placesLost = factory.CreateCounter("meterai_queue_places_lost_total",
            "Places lost: keys that did not come back within their Retry-After and grace.");
        _queueWait = factory.CreateHistogram("meterai_queue_wait_seconds",
            "Time from a key's first arrival in line to its sale (a 201 or 202), for keys that waited in line.",
            new HistogramConfiguration { Buckets = QueueWaitBuckets });
        _up = factory.CreateGauge("meterai_distributor_up",
            "1 when the distributor's last active probe found it able to sell, 0 when not or not probed yet.", "distributor");
        _stock = factory.CreateGauge("meterai_distributor_stock",
            "E-Meterai the distributor can issue now, as last probed or learnt from a sold-out answer; 0 until known.", "distributor");
        _inFlight = factory.CreateGauge("meterai_distributor_inflight",
            "Orders sent to the distributor and not yet answered.", "distributor");
        _maxConcurrency = factory.CreateGauge("meterai_distributor_max_concurrency",
            "The registry's maxConcurrency for the distributor: a ceiling the gateway never exceeds.", "distributor");
        _concurrencyLimit = factory.CreateGauge("meterai_distributor_concurrency_limit",
            "The orders in flight the gateway allows the distributor now: learned, never above maxConcurrency.", "distributor");
        _active = factory.CreateGauge("meterai_distributor_active",
            "1 when the distributor is active, 0 while the activity audit has a flag open on it.", "distributor");
        _flagsOpen = factory.CreateGauge("meterai_flags_open",
            "Open activity flags, by reason (unreachable, no_stock, no_sales, undelivered).", "reason");
        _unresolved = factory.CreateGauge("meterai_purchases_unresolved",
            "Purchases that were, or may have been, charged and are not yet delivered or refunded.");
        _refundsDue = factory.CreateGauge("meterai_refunds_due",
            "Purchases owed a refund that the distributor has not yet confirmed.");

        foreach (var outcome in PurchaseOutcomes.All)
        {
            _purchases.WithLabels(NoDistributor, outcome);
            _replays.WithLabels(outcome);
            _purchaseDuration.WithLabels(outcome);
        }

        foreach (var reason in AdmissionRejections.All)
        {
            _admissionRejected.WithLabels(reason);
        }

        foreach (var (pipeline, strategy, eventName) in ResilienceEventLabels.Known)
        {
            _resilienceEvents.WithLabels(pipeline, strategy, eventName);
        }

        Publish(OversightReading.Empty);

        // Gauges are read when Prometheus asks, never on the purchase path.
        registry.AddBeforeCollectCallback(Refresh);
    }

    /// <param name="outcome">issued, pending, failed, rejected or unavailable (docs/api/gateway-api.md).</param>
    public void PurchaseAnswered(string? distributorId, string outcome, TimeSpan duration)
    {
        _purchases.WithLabels(distributorId ?? NoDistributor, outcome).Inc();
        _purchaseDuration.WithLabels(outcome).Observe(duration.TotalSeconds);
    }

    /// <summary>A request answered with an earlier request's stored answer: no sale, so not in <c>meterai_purchases_total</c>.</summary>
    /// <param name="outcome">The outcome of the stored answer.</param>
    public void PurchaseReplayed(string outcome) => _replays.WithLabels(outcome).Inc();

    public void AttemptAnswered(string distributorId, string result) => _attempts.WithLabels(distributorId, result).Inc();

    public void Probed(string distributorId, TimeSpan duration) => _probeDuration.WithLabels(distributorId).Observe(duration.TotalSeconds);

    public void AdmissionRejected(string reason) => _admissionRejected.WithLabels(reason).Inc();

    public void QueueLength(int places) => _queueLength.Set(places);

    public void PlaceTaken() => _placesTaken.Inc();

    public void PlaceLost() => _placesLost.Inc();

    public void QueueWaited(TimeSpan wait) => _queueWait.Observe(Math.Max(wait.TotalSeconds, 0));

    /// <summary>A refusal by the admission queue while some distributor could have grown its limit; also in <c>meterai_admission_rejected_total</c>.</summary>
    public void AdmissionRefusedWithRoom() => _refusedWithRoom.Inc();

    public void ResilienceEvent(string pipeline, string strategy, string eventName) =>
        _resilienceEvents.WithLabels(pipeline, strategy, eventName).Inc();

    public void Publish(OversightReading reading)
    {
        _oversight = reading;
        foreach (var (reason, count) in reading.OpenFlagsByReason)
        {
            _flagsOpen.WithLabels(reason).Set(count);
        }

        _unresolved.Set(reading.Unresolved);
        _refundsDue.Set(reading.RefundsDue);
    }

    private void Refresh()
    {
        var distributors = _fleet.All;
        if (!ReferenceEquals(distributors, _labelled))
        {
            Relabel(distributors);
        }

        var flagged = _oversight.FlaggedDistributors;
        foreach (var d in distributors)
        {
            _up.WithLabels(d.Id).Set(d.Healthy == true ? 1 : 0);
            _stock.WithLabels(d.Id).Set(Math.Max(d.Stock, 0));
            _inFlight.WithLabels(d.Id).Set(d.InFlight);
            _maxConcurrency.WithLabels(d.Id).Set(d.MaxConcurrency);
            _concurrencyLimit.WithLabels(d.Id).Set(d.ConcurrencyLimit);
            _active.WithLabels(d.Id).Set(flagged.Contains(d.Id) ? 0 : 1);
        }
    }

    /// <summary>A newly loaded registry: its distributors' series start at 0, a departed one's gauges go.</summary>
    private void Relabel(IReadOnlyList<DistributorState> distributors)
    {
        var ids = distributors.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _labelled.Where(d => !ids.Contains(d.Id)))
        {
            foreach (var gauge in new[] { _up, _stock, _inFlight, _maxConcurrency, _concurrencyLimit, _active })
            {
                gauge.RemoveLabelled(gone.Id);
            }
        }

        foreach (var d in distributors)
        {
            foreach (var outcome in PurchaseOutcomes.All)
            {
                _purchases.WithLabels(d.Id, outcome);
            }

            foreach (var result in AttemptResults)
            {
                _attempts.WithLabels(d.Id, result);
            }

            _probeDuration.WithLabels(d.Id);
        }

        _labelled = distributors;
    }
}

/// <summary>The outcome label values of <c>meterai_purchases_total</c> (docs/api/gateway-api.md).</summary>
internal static class PurchaseOutcomes
{
    public const string Issued = "issued";
    public const string Pending = "pending";
    public const string Failed = "failed";
    public const string Rejected = "rejected";
    public const string Unavailable = "unavailable";

    public static readonly string[] All = [Issued, Pending, Failed, Rejected, Unavailable];

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
internal static class AdmissionRejections
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

    public static readonly string[] All = [NoDistributor, QueueFull, WaitTooLong, WaitTimedOut, LedgerUnavailable];
}
