using Meterai.Gateway.Resilience;
using Meterai.Gateway.Settings;
using Microsoft.Extensions.Options;
using Polly;
using Quartz;

namespace Meterai.Gateway.Probing;

internal static class ProbingExtensions
{
    /// <summary>The probe round, its store and its history reader; <see cref="ScheduleJobs"/> declares when the round runs.</summary>
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

    /// <summary>The probe round and probe retention, on the scheduler (<c>AddScheduling</c>).</summary>
    internal static void ScheduleJobs(IQuartzBuilder quartz, IConfiguration configuration, TimeProvider time)
    {
        // Read at registration because the triggers are declared here; a value out of range stops
        // start-up now, with the same line its options check gives.
        ProbeJob.Schedule(quartz, configuration.BindChecked<ProbingOptions>(ProbingOptions.Section));
        ProbeRetentionJob.Schedule(quartz);
    }
}
