using Meterai.Gateway.Observability;
using Polly;
using Polly.Registry;
using Polly.Telemetry;

namespace Meterai.Gateway.Resilience;

public static class ResilienceExtensions
{
    /// <summary>The registry: keyed by name and instance, built once per key, every pipeline on the injected clock.</summary>
    public static IServiceCollection AddGatewayResilience(this IServiceCollection services)
    {
        services.AddResiliencePipelineRegistry<ResiliencePipelineKey>(o =>
        {
            // One builder per name serves every instance; the instance names the breaker's state in telemetry.
            o.BuilderComparer = NameComparer.Instance;
            o.BuilderNameFormatter = key => key.Name;
            o.InstanceNameFormatter = key => key.Instance;
        });
        services.AddOptions<TelemetryOptions>().Configure<GatewayMetrics>((o, metrics) => o.TelemetryListeners.Add(new MetricsListener(metrics)));
        services.AddSingleton<ResiliencePipelines>();
        return services;
    }

    /// <summary>Registers the shape of the pipeline <paramref name="name"/> (a <see cref="ResiliencePipelines"/> constant).</summary>
    public static IServiceCollection AddGatewayPipeline(this IServiceCollection services, string name, Action<ResiliencePipelineBuilder, IServiceProvider> configure) =>
        services.AddResiliencePipeline(new ResiliencePipelineKey(name, ""), (builder, context) =>
        {
            builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            configure(builder, context.ServiceProvider);
        });

    private sealed class NameComparer : IEqualityComparer<ResiliencePipelineKey>
    {
        public static readonly NameComparer Instance = new();

        public bool Equals(ResiliencePipelineKey x, ResiliencePipelineKey y) => string.Equals(x.Name, y.Name, StringComparison.Ordinal);

        public int GetHashCode(ResiliencePipelineKey obj) => StringComparer.Ordinal.GetHashCode(obj.Name);
    }

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
