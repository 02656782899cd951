using Meterai.Gateway.Purchases;
using Meterai.Gateway.Settings;
using Quartz;

namespace Meterai.Gateway.Oversight;

internal static class OversightExtensions
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

        // Both start after the ledger's migrations, which run while the host is starting (AddLedger).
        builder.Services.AddHostedService<RefusalFlushService>();
        builder.Services.AddHostedService<OversightGaugePoller>();
        return builder;
    }

    /// <summary>The activity audit, the reports and the hourly evidence, on the scheduler (<c>AddScheduling</c>).</summary>
    internal static void ScheduleJobs(IQuartzBuilder quartz, IConfiguration configuration, TimeProvider time)
    {
        var oversight = configuration.BindChecked<OversightOptions>(OversightOptions.Section);
        ActivityAuditJob.Schedule(quartz, oversight, time);
        OversightReportJob.Schedule(quartz, oversight, time);
        HourlyEvidenceJob.Schedule(quartz, oversight);
    }
}
