using Meterai.Gateway.Resilience;

namespace Meterai.Gateway.Reconciliation;

public static class ReconciliationExtensions
{
    /// <summary>
    /// Registers the reconciliation options (validated at start) and the <see cref="Reconciler"/>.
    /// The pass is scheduled by the scheduler's configuration through <see cref="ReconciliationJob.Schedule"/>.
    /// </summary>
    public static WebApplicationBuilder AddReconciliation(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ReconciliationOptions>()
            .BindConfiguration(ReconciliationOptions.Section)
            .Validate(o => o.Problem() is null, "Reconciliation settings are invalid: intervals, deadline and timeouts must be positive, sizes at least 1, and BackoffSeconds entries between 0 and 86400.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Reconciler>();
        builder.Services.AddGatewayPipeline(ResiliencePipelines.Reconciliation, (pipeline, services) =>
            Reconciler.ConfigureCalls(pipeline, services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReconciliationOptions>>().Value));
        builder.Services.AddSingleton<UnresolvedPurchases>();
        return builder;
    }

    /// <summary>The options as configured, for scheduling before the container exists.</summary>
    public static ReconciliationOptions ReadReconciliationOptions(this IConfiguration configuration) =>
        configuration.GetSection(ReconciliationOptions.Section).Get<ReconciliationOptions>() ?? new ReconciliationOptions();
}
