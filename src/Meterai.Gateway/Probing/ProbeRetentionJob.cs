using Meterai.Gateway.Scheduling;
using Quartz;

namespace Meterai.Gateway.Probing;

/// <summary>Folds raw probes past <c>Probing:RawRetentionHours</c> into hourly roll-ups, once an hour.</summary>
[DisallowConcurrentExecution]
internal sealed class ProbeRetentionJob(ProbeStore store) : IJob
{
    public static readonly JobKey Key = new("probe-retention");

    /// <summary>Hourly, the first at start, so raw probes that aged out while the gateway was down are folded at once.</summary>
    public static void Schedule(IQuartzBuilder quartz) =>
        RecurringJob.Schedule<ProbeRetentionJob>(
            quartz,
            Key,
            TimeSpan.FromHours(1),
            startAt: null,

            // Missed runs leave work that is still worth doing, and one run does all of it: so
            // fire once now, however many were missed, then keep the hourly beat.
            SimpleTriggerMisfireInstruction.NowWithRemainingCount,
            "Folds raw probes older than Probing:RawRetentionHours into hourly roll-ups");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await store.RollUpAsync(cancellationToken);
}
