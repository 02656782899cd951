using Meterai.Gateway.Resilience;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Purchases;

public static class PurchasingExtensions
{
    public static WebApplicationBuilder AddPurchasing(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PurchasingOptions>()
            .BindConfiguration(PurchasingOptions.Section)
            .Validate(o => o.MaxAttempts >= 1, "Purchasing:MaxAttempts must be at least 1.")
            .Validate(o => o.AttemptTimeoutSeconds > 0 && o.TotalBudgetSeconds > 0 && o.LookupTimeoutSeconds > 0, "Purchasing timeouts must be positive.")
            .Validate(o => o.LookupRetries >= 0 && o.LookupRetryDelaySeconds >= 0, "Purchasing:LookupRetries and LookupRetryDelaySeconds must not be negative.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OrderLookup>();
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
