using Meterai.Gateway.Observability;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Registry;
using Polly.Telemetry;

namespace Meterai.Gateway.Resilience;

internal static class ResilienceExtensions
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

        // Polly's own log writes every execution that ended in an exception at Information, with its
        // stack, and names no distributor: a down distributor cost a stack trace per probe. Its
        // events are logged by ResilienceEventListener instead, and its metrics are kept.
        services.AddOptions<TelemetryOptions>()
            .PostConfigure<GatewayMetrics, ILogger<ResilienceEventListener>>((o, metrics, logger) =>
            {
                o.LoggerFactory = NullLoggerFactory.Instance;
                o.TelemetryListeners.Add(new ResilienceEventListener(metrics, logger));
            });
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
}
