namespace Meterai.Gateway.Cluster;

internal static class ClusterExtensions
{
    /// <summary>The gateways sharing this ledger, read from the scheduler's check-ins (Scheduling's instance id).</summary>
    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ClusterMembership>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ClusterMembership>());
        return builder;
    }
}
