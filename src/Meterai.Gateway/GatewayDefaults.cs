using Meterai.Gateway.Observability;
using Meterai.Gateway.Resilience;

namespace Meterai.Gateway;

public static class GatewayDefaults
{
    /// <summary>Clock, randomness, JSON and problem details, shared by every feature.</summary>
    public static WebApplicationBuilder AddGatewayDefaults(this WebApplicationBuilder builder)
    {
        // Injected so tests drive time and chance; production uses the system's.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Random.Shared);

        // The Polly pipeline registry, which reports into the metrics.
        builder.Services.AddGatewayResilience();

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>Every request is counted; every error is problem+json, and none carries a stack trace, in any environment.</summary>
    public static WebApplication UseGatewayDefaults(this WebApplication app)
    {
        app.UseGatewayHttpMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
