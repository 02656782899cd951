using Meterai.Gateway.Resilience;
using Meterai.Gateway.Settings;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Meterai.Gateway.Purchases;

public static class PurchasingExtensions
{
    public static WebApplicationBuilder AddPurchasing(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<PurchasingOptions>(PurchasingOptions.Section);

        // The purchase route and its cluster of distributors, for YARP (AddDistributorRouting).
        builder.Services.AddSingleton<IProxyConfigProvider, DistributorProxyConfigProvider>();

        // What the fleet can sell per second, for admission's wait estimate.
        builder.Services.AddSingleton<Admission.IFleetThroughput, FleetThroughput>();
        builder.Services.AddSingleton<OrderLookup>();
        builder.Services.AddSingleton<AnswerRecorder>();
        builder.Services.AddSingleton<KeysBeingClaimed>();
        builder.Services.AddGatewayPipeline(ResiliencePipelines.OrderLookup, (pipeline, services) =>
            OrderLookup.Configure(pipeline, services.GetRequiredService<IOptions<PurchasingOptions>>().Value));
        return builder;
    }

    /// <summary>
    /// POST /api/purchases is a YARP route. Its pipeline: the orchestrator (validation,
    /// idempotency, ledger, failover), YARP's load balancing (our policy), the attempt gate
    /// (concurrency slot, ledger journal), YARP's passive health (our policy), then YARP's forwarder.
    /// </summary>
    public static IEndpointConventionBuilder MapPurchaseRoute(this IEndpointRouteBuilder app) =>
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<PurchaseOrchestrator>();
            proxy.UseLoadBalancing();
            proxy.UseMiddleware<DistributorAttemptMiddleware>();
            proxy.UsePassiveHealthChecks();
        });
}
