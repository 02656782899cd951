namespace Meterai.Gateway.Oversight;

public static class OversightExtensions
{
    public static WebApplicationBuilder AddOversight(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OversightOptions>()
            .BindConfiguration(OversightOptions.Section)
            .Validate(o => o.AuditIntervalMinutes > 0 && o.AuditWindowMinutes > 0 && o.ReportIntervalHours > 0 && o.FirstAuditDelaySeconds >= 0,
                "Oversight intervals and windows must be positive.")
            .Validate(o => o.AvailabilityThreshold is > 0 and <= 1 && o.SoldOutThreshold is > 0 and <= 1,
                "Oversight:AvailabilityThreshold and SoldOutThreshold must be in (0, 1].")
            .Validate(o => o.MinimumProbes >= 1 && o.MinimumFleetSales >= 1 && o.UndeliveredThreshold >= 1,
                "Oversight:MinimumProbes, MinimumFleetSales and UndeliveredThreshold must be at least 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OversightStore>();
        builder.Services.AddSingleton<ActivityAuditor>();
        builder.Services.AddSingleton<ReportBuilder>();
        builder.Services.AddSingleton<OversightQueries>();

        // Feeds the ledger's gauges. Here, after AddLedger, it starts after the migrations; before them its
        // first reading would fail (logged) and the next one succeed.
        builder.Services.AddHostedService<OversightGaugePoller>();
        return builder;
    }
}
