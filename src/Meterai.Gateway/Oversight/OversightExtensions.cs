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
            .Validate(o => o.ReportIntervalHours <= 744, "Oversight:ReportIntervalHours must be more than 0 and at most 744 (31 days).")
            .Validate(o => o.ReportUtcOffsetHours is >= -12 and <= 14 && o.ReportUtcOffsetHours * 4 == Math.Round(o.ReportUtcOffsetHours * 4),
                "Oversight:ReportUtcOffsetHours must be between -12 and 14, in quarter hours (7 is WIB).")
            .Validate(o => o.ReportBoundaryHour is >= 0 and <= 23, "Oversight:ReportBoundaryHour must be between 0 and 23.")
            .Validate(o => o.ReportCatchUpPeriods is >= 1 and <= 366, "Oversight:ReportCatchUpPeriods must be between 1 and 366.")
            .Validate(o => o.EvidenceSampleSeconds is >= 5 and <= 3600, "Oversight:EvidenceSampleSeconds must be between 5 and 3600.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OversightStore>();
        builder.Services.AddSingleton<ActivityAuditor>();
        builder.Services.AddSingleton<ReportBuilder>();
        builder.Services.AddSingleton<OversightQueries>();
        builder.Services.AddSingleton<RefusalCounter>();
        builder.Services.AddSingleton<HourlyEvidenceStore>();
        builder.Services.AddSingleton<ReportTimelineReader>();

        // Registered after AddLedger, so it stops before the ledger's services and can still write.
        builder.Services.AddHostedService<RefusalFlushService>();

        // Refreshes the ledger gauges; registered here, after AddLedger, so it starts after the migrations.
        builder.Services.AddHostedService(services => services.GetRequiredService<Observability.LedgerGauges>());
        return builder;
    }
}
