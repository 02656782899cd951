using Meterai.Gateway.Observability;
using Polly;
using Polly.Registry;

namespace Meterai.Gateway.Resilience;

/// <summary>
/// The gateway's Polly pipelines, from Polly.Extensions' registry: each feature registers its
/// pipeline's shape where it is configured (<see cref="ResilienceExtensions.AddGatewayPipeline"/>),
/// and the registry builds and caches one instance per key, e.g. one order-lookup breaker per
/// distributor. Polly's own telemetry (logs, the "Polly" meter) applies, and every event also counts
/// in <c>meterai_resilience_events_total</c>.
/// </summary>
internal sealed class ResiliencePipelines(ResiliencePipelineProvider<ResiliencePipelineKey> provider)
{
    /// <summary>Order look-ups after an ambiguous answer, one instance (and breaker) per distributor.</summary>
    public const string OrderLookup = ResilienceEventLabels.OrderLookupPipeline;

    /// <summary>Active probes of /health and /stock.</summary>
    public const string Probe = ResilienceEventLabels.ProbePipeline;

    /// <summary>Reconciliation's look-ups and refund requests.</summary>
    public const string Reconciliation = ResilienceEventLabels.ReconciliationPipeline;

    /// <param name="name">One of the constants above.</param>
    /// <param name="instance">A distributor id for a pipeline kept per distributor; empty for one shared instance.</param>
    public ResiliencePipeline Get(string name, string instance = "") => provider.GetPipeline(new ResiliencePipelineKey(name, instance));
}

/// <summary>A pipeline's name (which shape it has) and instance (whose state it keeps).</summary>
internal readonly record struct ResiliencePipelineKey(string Name, string Instance);
