using Meterai.Gateway.Scheduling;
using Quartz;

namespace Meterai.Gateway.Oversight;

/// <summary>The daily oversight report, covering the interval that has just ended.</summary>
[DisallowConcurrentExecution]
internal sealed class OversightReportJob(ReportBuilder reports, TimeProvider time, Microsoft.Extensions.Options.IOptions<OversightOptions> options) : IJob
{
    public static readonly JobKey Key = new("oversight-report");

    public static void Schedule(IQuartzBuilder quartz, OversightOptions options, TimeProvider time) =>
        RecurringJob.Schedule<OversightReportJob>(
            quartz,
            Key,
            options.ReportInterval,
            time.GetUtcNow() + options.ReportInterval,

            // Each firing reports the interval before it; after downtime, one report of the latest
            // interval is worth more than a burst of reports built at the same moment.
            SimpleTriggerMisfireInstruction.NowWithRemainingCount,
            "Builds the periodic oversight report");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var to = time.GetUtcNow();
        await reports.BuildAsync(to - options.Value.ReportInterval, to, cancellationToken);
    }
}
