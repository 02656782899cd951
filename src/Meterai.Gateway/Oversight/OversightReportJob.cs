using Meterai.Gateway.Distributors;
using Meterai.Gateway.Scheduling;
using Microsoft.Extensions.Options;
using Quartz;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The scheduled oversight reports: fires on every <see cref="ReportSchedule"/> boundary, and once at
/// start, and each time builds every scheduled period that has ended without a report, so a period
/// that ended while the gateway was down is reported after the restart.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class OversightReportJob(
    ReportBuilder reports,
    OversightStore store,
    DistributorFleet fleet,
    TimeProvider time,
    IOptions<OversightOptions> options,
    ILogger<OversightReportJob> logger) : IJob
{
    public static readonly JobKey Key = new("oversight-report");

    public static void Schedule(IQuartzBuilder quartz, OversightOptions options, TimeProvider time)
    {
        var schedule = new ReportSchedule(options);
        RecurringJob.Schedule<OversightReportJob>(
            quartz,
            Key,
            schedule.Interval,
            schedule.NextEndAfter(time.GetUtcNow()),

            // Firing late would move every later firing off its boundary; a missed firing is
            // skipped instead, and the next one (or the start-up run) builds what it missed.
            SimpleTriggerMisfireInstruction.NextWithRemainingCount,
            "Builds the scheduled oversight reports of every period that has ended");
        RecurringJob.ScheduleOnceAtStart(quartz, Key, Key.Name + "-at-start");
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await CatchUpAsync(cancellationToken);
    }

    /// <summary>Builds each scheduled period that ended since the ledger was created and has no report yet.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        // A report of an unloaded fleet would say "of 0 registered distributors".
        await fleet.WhenLoaded.WaitAsync(cancellationToken);
        var rules = options.Value;
        var schedule = new ReportSchedule(rules);
        var now = time.GetUtcNow();

        // Periods that ended before the ledger existed have nothing to report.
        var since = await store.LedgerCreatedAtAsync(cancellationToken) ?? now;
        var due = schedule.EndedBetween(since, now, rules.ReportCatchUpPeriods);
        if (due.Count == 0)
        {
            return 0;
        }

        var built = await store.ReportedPeriodsAsync(due[0].From, cancellationToken);
        var count = 0;
        foreach (var (from, to) in due.Where(p => !built.Contains((p.From.ToUnixTimeMilliseconds(), p.To.ToUnixTimeMilliseconds()))))
        {
            await reports.BuildAsync(from, to, cancellationToken);
            count++;
        }

        if (count > 1)
        {
            LogCaughtUp(logger, count);
        }

        return count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Built {Count} scheduled oversight reports of periods that ended while no report was built")]
    private static partial void LogCaughtUp(ILogger logger, int count);
}
