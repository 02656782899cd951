namespace Meterai.Gateway.Observability;

/// <summary>
/// The label values <c>meterai_resilience_events_total</c> can take: the gateway's pipelines, their
/// strategies (Polly's default names) and the events each raises. Every combination is exported at 0
/// from the first scrape, so an alert's rate() has a series before the first timeout.
/// </summary>
internal static class ResilienceEventLabels
{
    public const string CircuitOpened = "OnCircuitOpened";
    public const string CircuitClosed = "OnCircuitClosed";
    public const string CircuitHalfOpened = "OnCircuitHalfOpened";
    public const string Timeout = "OnTimeout";
    public const string Retry = "OnRetry";

    /// <summary>The pipelines' names, which are their label values (Resilience/ResiliencePipelines names its pipelines by these).</summary>
    public const string OrderLookupPipeline = "order-lookup";

    public const string ProbePipeline = "probe";

    public const string ReconciliationPipeline = "reconciliation";

    /// <summary>(pipeline, strategy, event) for every strategy each pipeline is built with.</summary>
    public static readonly IReadOnlyList<(string Pipeline, string Strategy, string Event)> Known =
    [
        (OrderLookupPipeline, "CircuitBreaker", CircuitOpened),
        (OrderLookupPipeline, "CircuitBreaker", CircuitClosed),
        (OrderLookupPipeline, "CircuitBreaker", CircuitHalfOpened),
        (OrderLookupPipeline, "Retry", Retry),
        (OrderLookupPipeline, "Timeout", Timeout),
        (ProbePipeline, "Timeout", Timeout),
        (ReconciliationPipeline, "Timeout", Timeout),
    ];
}
