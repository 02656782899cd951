namespace Meterai.Gateway.Probing;

internal static class ProbingExtensions
{
    /// <summary>The probe round, its store and its history reader; the schedule that runs them is Scheduling's.</summary>
    public static IServiceCollection AddFleetProbing(this IServiceCollection services)
    {
        // Transient: each round takes a fresh typed DistributorClient, so its HttpClient follows
        // the factory's handler rotation instead of being pinned for the process's life.
        services.AddTransient<FleetProbe>();
        services.AddSingleton<ProbeStore>();
        services.AddSingleton<ProbeHistory>();
        services.AddSingleton<SharedProbeRefresh>();
        services.AddHostedService(s => s.GetRequiredService<SharedProbeRefresh>());
        return services;
    }
}
