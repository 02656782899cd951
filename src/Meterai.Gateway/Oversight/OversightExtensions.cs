using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Oversight;

public static class OversightExtensions
{
    public static WebApplicationBuilder AddOversight(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<OversightOptions>(OversightOptions.Section)
            .Validate(o => o.ReportUtcOffsetHours * 4 == Math.Round(o.ReportUtcOffsetHours * 4),
                "Oversight:ReportUtcOffsetHours must be in quarter hours (7 is WIB).");
        builder.Services.AddSingleton<OversightStore>();
        builder.Services.AddSingleton<ActivityAuditor>();
        builder.Services.AddSingleton<ReportBuilder>();
        builder.Services.AddSingleton<OversightQueries>();
        builder.Services.AddSingleton<RefusalCounter>();
        builder.Services.AddSingleton<HourlyEvidenceStore>();
        builder.Services.AddSingleton<ReportTimelineReader>();

        // Registered after AddLedger, so it stops before the ledger's services and can still write.
        builder.Services.AddHostedService<RefusalFlushService>();

        // Feeds the ledger's gauges. Here, after AddLedger, it starts after the migrations; before them its
        // first reading would fail (logged) and the next one succeed.
        builder.Services.AddHostedService<OversightGaugePoller>();
        return builder;
    }
}
