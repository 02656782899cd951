using Meterai.Gateway.Distributors;
using Meterai.Gateway.Scheduling;
using Quartz;

namespace Meterai.Gateway.Oversight;

/// <summary>The hourly activity audit.</summary>
[DisallowConcurrentExecution]
internal sealed class ActivityAuditJob(DistributorFleet fleet, ActivityAuditor auditor) : IJob
{
    public static readonly JobKey Key = new("activity-audit");

    /// <summary>First after <c>Oversight:FirstAuditDelaySeconds</c>, then every <c>Oversight:AuditIntervalMinutes</c>.</summary>
    public static void Schedule(IQuartzBuilder quartz, OversightOptions options, TimeProvider time) =>
        RecurringJob.Schedule<ActivityAuditJob>(
            quartz,
            Key,
            options.AuditInterval,
            time.GetUtcNow() + options.FirstAuditDelay,

            // An audit judges the window ending when it runs, so one late run covers every missed
            // one: run once now, then keep the interval, never a burst of catch-ups.
            SimpleTriggerMisfireInstruction.NowWithRemainingCount,
            "Flags registered distributors that do not actually sell, with evidence");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await fleet.WhenLoaded.WaitAsync(cancellationToken);
        await auditor.RunAsync(cancellationToken);
    }
}
