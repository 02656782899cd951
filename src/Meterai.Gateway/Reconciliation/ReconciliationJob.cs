using System.Data.Common;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Scheduling;
using Quartz;

namespace Meterai.Gateway.Reconciliation;

/// <summary>Runs one <see cref="Reconciler"/> pass each time its trigger fires.</summary>
/// <remarks>
/// <see cref="DisallowConcurrentExecutionAttribute"/>: a pass that outlasts the interval (slow
/// distributors, a backlog) is not joined by a second one in this process. Passes in different
/// gateways sharing a ledger are kept apart by the ledger's guarded updates, not by Quartz.
/// </remarks>
[DisallowConcurrentExecution]
internal sealed partial class ReconciliationJob(Reconciler reconciler, DistributorFleet fleet, ILogger<ReconciliationJob> logger) : IJob
{
    public static readonly JobKey Key = new("reconciliation");

    /// <summary>Every <c>Reconciliation:IntervalSeconds</c>, the first at start: what was left open while the gateway was down is followed up at once.</summary>
    public static void Schedule(IQuartzBuilder quartz, ReconciliationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RecurringJob.Schedule<ReconciliationJob>(
            quartz,
            Key,
            options.Interval,
            startAt: null,

            // A missed pass leaves applicants waiting for serials or refunds, so it is worth
            // running late; and one pass does everything that is due (what is due lives in the
            // ledger's next_check_at, not in the firings). So: fire once now, however many were
            // missed, then keep the beat. Not IgnoreMisfires, which would run a burst of passes
            // against the distributors that most likely made the last one slow.
            SimpleTriggerMisfireInstruction.NowWithRemainingCount,
            "Looks up pending purchases, requests the refunds that are due, releases what was never charged");
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (!fleet.IsLoaded)
        {
            // The demo fleet loads in a hosted service; until then no distributor can be asked.
            LogWaitingForFleet(logger);
            await fleet.WhenLoaded.WaitAsync(cancellationToken);
        }

        try
        {
            await reconciler.RunOnceAsync(cancellationToken);
        }
        catch (DbException ex)
        {
            // Nothing was changed that is not safe to redo; the next firing tries again.
            LogLedgerUnavailable(logger, ex);
            context.Result = JobMetrics.Failed;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconciliation waits for the distributor registry to load")]
    private static partial void LogWaitingForFleet(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation pass failed: the ledger is unavailable")]
    private static partial void LogLedgerUnavailable(ILogger logger, Exception exception);
}
