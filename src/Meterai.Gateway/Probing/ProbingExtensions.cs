using Meterai.Gateway.Resilience;
using Meterai.Gateway.Settings;
using Microsoft.Extensions.Options;
using Polly;

namespace Meterai.Gateway.Probing;

public static class ProbingExtensions
{
    /// <summary>The probe round, its store and its history reader; the schedule that runs them is Scheduling's.</summary>
    public static WebApplicationBuilder AddProbing(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRangedOptions<ProbingOptions>(ProbingOptions.Section);


        // Transient: a round holds nothing between rounds (DistributorClient takes a client per call).
        services.AddTransient<FleetProbe>();

        // On the injected clock, so a test's TimeProvider decides when a probe has waited too long.
        services.AddGatewayPipeline(ResiliencePipelines.Probe, (pipeline, provider) =>
            pipeline.AddTimeout(provider.GetRequiredService<IOptions<ProbingOptions>>().Value.Timeout));
        services.AddSingleton<ProbeStore>();
        services.AddSingleton<ProbeHistory>();
        services.AddSingleton<SharedProbeRefresh>();
        services.AddHostedService(s => s.GetRequiredService<SharedProbeRefresh>());
        return builder;
    }
}
