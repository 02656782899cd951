using Meterai.Gateway.Observability;
using Polly;
using Polly.Telemetry;

namespace Meterai.Gateway.Resilience;

/// <summary>
/// Counts every Polly event an SRE acts on in <c>meterai_resilience_events_total</c> and logs it
/// naming the pipeline's instance (the distributor, for pipelines kept per distributor). A circuit
/// opening or closing is a change of a distributor's state, one line at Information; a timeout or
/// retry happens per attempt, so it is a Debug line (the probe's state change already says "down").
/// </summary>
internal sealed partial class ResilienceEventListener(GatewayMetrics metrics, ILogger<ResilienceEventListener> logger) : TelemetryListener
{
    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        // Execution attempts and pipeline start/stop are not events an SRE acts on; the rest are.
        if (args.Event.Severity == ResilienceEventSeverity.None || args.Event.EventName is "PipelineExecuting" or "PipelineExecuted" or "ExecutionAttempt")
        {
            return;
        }

        var pipeline = args.Source.PipelineName ?? "unnamed";
        var instance = string.IsNullOrEmpty(args.Source.PipelineInstanceName) ? "all distributors" : args.Source.PipelineInstanceName;
        metrics.ResilienceEvent(pipeline, args.Source.StrategyName ?? args.Event.EventName, args.Event.EventName);

        // The failure's message only: a refused connection or a timeout needs no stack trace.
        var failure = args.Outcome?.Exception?.Message ?? "";
        if (args.Event.EventName is ResilienceEventLabels.CircuitOpened or ResilienceEventLabels.CircuitClosed)
        {
            LogCircuit(logger, instance, pipeline, args.Event.EventName == ResilienceEventLabels.CircuitOpened ? "opened" : "closed", failure);
        }
        else
        {
            LogEvent(logger, args.Event.EventName, instance, pipeline, failure);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Distributor {DistributorId}: the {Pipeline} circuit {Transition} ({Failure})")]
    private static partial void LogCircuit(ILogger logger, string distributorId, string pipeline, string transition, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Event} for {DistributorId} in {Pipeline} ({Failure})")]
    private static partial void LogEvent(ILogger logger, string @event, string distributorId, string pipeline, string failure);
}
