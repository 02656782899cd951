using Meterai.Gateway.Distributors;
using Meterai.Gateway.Scheduling;
using Quartz;

namespace Meterai.Gateway.Probing;

/// <summary>Runs one probe round of the whole fleet on every firing.</summary>
[DisallowConcurrentExecution]
internal sealed partial class ProbeJob(DistributorFleet fleet, FleetProbe probe, ILogger<ProbeJob> logger) : IJob
{
    public static readonly JobKey Key = new("probe");

    /// <summary>Every <c>Probing:IntervalSeconds</c>, the first at start: routing needs health before the first purchase.</summary>
    public static void Schedule(IQuartzBuilder quartz, ProbingOptions options) =>
        RecurringJob.Schedule<ProbeJob>(
            quartz,
            Key,
            options.Interval,
            startAt: null,

            // A probe's only value is being fresh. A missed round run late would land just before
            // the next one, and after a pause a catch-up burst would hit every distributor at once;
            // so missed rounds are dropped and the schedule resumes.
            SimpleTriggerMisfireInstruction.NextWithRemainingCount,
            "Probes every distributor's /health and /stock and feeds routing");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (!fleet.IsLoaded)
        {
            // The demo fleet loads in a hosted service; a firing before that waits for it rather
            // than probing nobody, and is then the first round.
            LogWaitingForFleet(logger);
            await fleet.WhenLoaded.WaitAsync(cancellationToken);
        }

        var results = await probe.ProbeAllAsync(cancellationToken);
        var healthy = results.Count(r => r.Healthy);
        LogRound(logger, results.Count, healthy);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probe round waits for the distributor registry to load")]
    private static partial void LogWaitingForFleet(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probe round: {Healthy} of {Count} distributors healthy")]
    private static partial void LogRound(ILogger logger, int count, int healthy);
}
