using Meterai.Gateway.Resilience;
using Meterai.Gateway.Settings;
using Quartz;

namespace Meterai.Gateway.Reconciliation;

internal static class ReconciliationExtensions
{
    /// <summary>
    /// Registers the reconciliation options (validated at start) and the <see cref="Reconciler"/>.
    /// The pass is scheduled by the scheduler's configuration through <see cref="ReconciliationJob.Schedule"/>.
    /// </summary>
    public static WebApplicationBuilder AddReconciliation(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRangedOptions<ReconciliationOptions>(ReconciliationOptions.Section);
        builder.Services.AddSingleton<Reconciler>();
        builder.Services.AddGatewayPipeline(ResiliencePipelines.Reconciliation, (pipeline, services) =>
            Reconciler.ConfigureCalls(pipeline, services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReconciliationOptions>>().Value));
        builder.Services.AddSingleton<UnresolvedPurchases>();
        return builder;
    }

    /// <summary>The options as configured, for scheduling before the container exists.</summary>
    public static ReconciliationOptions ReadReconciliationOptions(this IConfiguration configuration) =>
        configuration.GetSection(ReconciliationOptions.Section).Get<ReconciliationOptions>() ?? new ReconciliationOptions();

    /// <summary>The reconciliation pass, on the scheduler (<c>AddScheduling</c>).</summary>
    internal static void ScheduleJobs(IQuartzBuilder quartz, IConfiguration configuration, TimeProvider time) =>
        ReconciliationJob.Schedule(quartz, configuration.BindChecked<ReconciliationOptions>(ReconciliationOptions.Section));
}
