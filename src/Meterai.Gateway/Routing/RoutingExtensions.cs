using Meterai.Gateway.Health;
using Meterai.Gateway.LoadBalancing;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Meterai.Gateway.Routing;

internal static class RoutingExtensions
{
    /// <summary>YARP for the distributors' cluster, its health and its HTTP client, with the gateway's own policies plugged into its extension points.</summary>
    public static WebApplicationBuilder AddDistributorRouting(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy();

        // Every distributor call's rules (no redirects, 64 KiB of headers), for the HTTP client YARP builds for the cluster.
        builder.Services.AddSingleton<IForwarderHttpClientFactory, DistributorForwarderClientFactory>();

        // Named in the cluster's configuration, and called by the purchase itself (Purchases/PurchaseOrchestrator.cs).
        builder.Services.AddSingleton<LeastLoadedOfTwoPolicy>();
        builder.Services.AddSingleton<ILoadBalancingPolicy>(services => services.GetRequiredService<LeastLoadedOfTwoPolicy>());
        builder.Services.AddSingleton<IAvailableDestinationsPolicy, HealthyInStockPolicy>();
        builder.Services.AddSingleton<FailureRatePolicy>();
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy>(services => services.GetRequiredService<FailureRatePolicy>());
        builder.Services.AddSingleton<DistributorRouting>();
        builder.Services.AddSingleton<SellingNow>();
        return builder;
    }
}
