using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Purchases;

public static class PurchasingExtensions
{
    public static WebApplicationBuilder AddPurchasing(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<PurchasingOptions>(PurchasingOptions.Section);
        builder.Services.AddSingleton<OrderLookup>();
        builder.Services.AddSingleton<AnswerRecorder>();
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
