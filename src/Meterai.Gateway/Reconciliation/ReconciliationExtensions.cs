using Meterai.Gateway.Settings;

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
        builder.Services.AddRangedOptions<ReconciliationOptions>(ReconciliationOptions.Section);
        builder.Services.AddSingleton<Reconciler>();
        builder.Services.AddSingleton<UnresolvedPurchases>();
        return builder;
    }

    /// <summary>The options as configured, for scheduling before the container exists.</summary>
    public static ReconciliationOptions ReadReconciliationOptions(this IConfiguration configuration) =>
        configuration.GetSection(ReconciliationOptions.Section).Get<ReconciliationOptions>() ?? new ReconciliationOptions();
}
