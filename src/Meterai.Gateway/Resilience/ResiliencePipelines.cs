using Meterai.Gateway.Observability;
using Polly;
using Polly.Telemetry;

namespace Meterai.Gateway.Resilience;

/// <summary>
/// Where every Polly pipeline starts: named, on the injected clock, and reporting its events
/// (timeouts, retries, circuit transitions) to <c>meterai_resilience_events_total</c>.
/// Polly.Extensions, which would do this through DI, is not on our package mirror.
/// </summary>
public sealed class ResiliencePipelines(TimeProvider time, GatewayMetrics metrics)
{
    /// <summary>Order look-ups after an ambiguous answer.</summary>
    public const string OrderLookup = "order-lookup";

    /// <summary>Active probes of /health and /stock.</summary>
    public const string Probe = "probe";

    /// <summary>Reconciliation's look-ups and refund requests.</summary>
    public const string Reconciliation = "reconciliation";

    private readonly TelemetryListener _listener = new MetricsListener(metrics);

    public ResiliencePipelineBuilder Builder(string name) =>
        new() { Name = name, TimeProvider = time, TelemetryListener = _listener };

    private sealed class MetricsListener(GatewayMetrics metrics) : TelemetryListener
    {
        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
        {
            // Execution attempts and pipeline start/stop are not events an SRE acts on; the rest are.
            if (args.Event.Severity == ResilienceEventSeverity.None || args.Event.EventName is "PipelineExecuting" or "PipelineExecuted" or "ExecutionAttempt")
            {
                return;
            }

            metrics.ResilienceEvent(args.Source.PipelineName ?? "unnamed", args.Source.StrategyName ?? args.Event.EventName, args.Event.EventName);
        }
    }
}
