using Meterai.Gateway.Resilience;
using Meterai.Gateway.Settings;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Meterai.Gateway.Purchases;

internal static class PurchasingExtensions
{
    public static WebApplicationBuilder AddPurchasing(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<PurchasingOptions>(PurchasingOptions.Section);

        // The cluster of distributors, for YARP (AddDistributorRouting).
        builder.Services.AddSingleton<IProxyConfigProvider, DistributorProxyConfigProvider>();

        // What the fleet can sell per second, for admission's wait estimate.
        builder.Services.AddSingleton<Admission.IFleetThroughput, FleetThroughput>();
        builder.Services.AddSingleton<OrderLookup>();
        builder.Services.AddSingleton<AnswerRecorder>();
        builder.Services.AddSingleton<KeysBeingClaimed>();
        builder.Services.AddSingleton<PurchaseReplies>();
        builder.Services.AddSingleton<IOrderSender, HttpOrderSender>();
        builder.Services.AddSingleton<PurchaseOrchestrator>();
        builder.Services.AddGatewayPipeline(ResiliencePipelines.OrderLookup, (pipeline, services) =>
            OrderLookup.Configure(pipeline, services.GetRequiredService<IOptions<PurchasingOptions>>().Value));
        return builder;
    }

    /// <summary>
    /// YARP's configuration of the distributors' cluster is loaded when its endpoints are mapped; it has
    /// no route: POST /api/purchases is an ordinary endpoint (<see cref="Apis.PurchasesApi"/>) that
    /// sends each order itself (docs/architecture.md, "One purchase").
    /// </summary>
    public static IEndpointConventionBuilder MapDistributorCluster(this IEndpointRouteBuilder app) => app.MapReverseProxy();
}
