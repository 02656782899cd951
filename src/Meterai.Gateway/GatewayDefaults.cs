namespace Meterai.Gateway;

public static class GatewayDefaults
{
    /// <summary>Clock, randomness, JSON and problem details, shared by every feature.</summary>
    public static WebApplicationBuilder AddGatewayDefaults(this WebApplicationBuilder builder)
    {
        // Injected so tests drive time and chance; production uses the system's.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Random.Shared);

        // The gateway's own instruments and the Polly pipelines that report into them.
        builder.Services.AddOptions<Observability.MetricsOptions>()
            .BindConfiguration(Observability.MetricsOptions.Section)
            .Validate(o => o.LedgerGaugeRefreshSeconds > 0, "Metrics:LedgerGaugeRefreshSeconds must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Observability.GatewayMetrics>();
        builder.Services.AddSingleton<Observability.LedgerGauges>();
        builder.Services.AddSingleton<Resilience.ResiliencePipelines>();

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>Every error is problem+json, and none carries a stack trace, in any environment.</summary>
    public static WebApplication UseGatewayDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
