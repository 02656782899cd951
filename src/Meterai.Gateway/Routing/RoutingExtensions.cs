using Meterai.Gateway.Health;
using Meterai.Gateway.LoadBalancing;
using Meterai.Gateway.Purchases;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Meterai.Gateway.Routing;

public static class RoutingExtensions
{
    /// <summary>YARP as the forwarding engine, with the gateway's own policies plugged into its extension points.</summary>
    public static WebApplicationBuilder AddDistributorRouting(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .AddTransforms(context =>
            {
                if (context.Route.RouteId == GatewayProxy.PurchaseRouteId)
                {
                    PurchaseTransforms.Apply(context);
                }
            });

        builder.Services.AddSingleton<IForwarderHttpClientFactory, DistributorForwarderClientFactory>();
        builder.Services.AddSingleton<ILoadBalancingPolicy, LeastLoadedOfTwoPolicy>();
        builder.Services.AddSingleton<IAvailableDestinationsPolicy, HealthyInStockPolicy>();
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy, FailureRatePolicy>();
        builder.Services.AddSingleton<DistributorRouting>();
        builder.Services.AddSingleton<SellingNow>();
        return builder;
    }
}
