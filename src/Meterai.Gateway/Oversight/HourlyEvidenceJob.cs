using System.Data.Common;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Routing;
using Meterai.Gateway.Scheduling;
using Quartz;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// Every <see cref="OversightOptions.EvidenceSampleSeconds"/>: records one capacity sample per
/// distributor in <c>capacity_hourly</c> and moves the refusals counted in memory to
/// <c>refusals_hourly</c>. This is the history the report's charts and surge headroom read:
/// concurrency limits and service times change, and only a record of them says what a past hour could sell.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class HourlyEvidenceJob(
    DistributorFleet fleet,
    HourlyEvidenceStore store,
    RefusalCounter refusals,
    SellingNow sellingNow,
    TimeProvider time,
    ILogger<HourlyEvidenceJob> logger) : IJob
{
    public static readonly JobKey Key = new("oversight-evidence");

    /// <summary>How far back a distributor's own accepted orders measure its service time.</summary>
    private static readonly TimeSpan MeasureWindow = TimeSpan.FromHours(1);

    public static void Schedule(IQuartzBuilder quartz, OversightOptions options) =>
        RecurringJob.Schedule<HourlyEvidenceJob>(
            quartz,
            Key,
            TimeSpan.FromSeconds(Math.Clamp(options.EvidenceSampleSeconds, 5, 3600)),
            startAt: null,

            // A sample is of the moment it is taken; a late one would describe a later moment
            // twice. Missed samples are dropped; the refusal counts wait in memory for the next.
            SimpleTriggerMisfireInstruction.NextWithRemainingCount,
            "Samples the fleet's capacity and stores the refusals counted per hour");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await FlushRefusalsAsync(cancellationToken);
        await SampleCapacityAsync(cancellationToken);
    }

    public async Task FlushRefusalsAsync(CancellationToken cancellationToken)
    {
        var counts = refusals.Take();
        try
        {
            await store.AddRefusalsAsync(counts, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException)
        {
            // Evidence is not dropped for a busy ledger: the next run writes these too.
            refusals.Restore(counts);
            LogFlushFailed(logger, counts.Values.Sum(), ex.GetType().Name);
            if (ex is OperationCanceledException)
            {
                throw;
            }
        }
    }

    public async Task<IReadOnlyList<CapacitySample>> SampleCapacityAsync(CancellationToken cancellationToken)
    {
        if (!fleet.IsLoaded)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var measured = await store.MeasuredServiceTimesAsync(now - MeasureWindow, cancellationToken);
        var known = await store.LastKnownServiceTimesAsync(cancellationToken);
        var fleetMedian = SurgeHeadroom.Median(measured.Values.Concat(known.Values).ToList());
        // A distributor not probed yet is unknown, not unable: it gets no sample rather than a zero.
        var samples = fleet.All.Where(d => d.Healthy is not null).Select(d =>
        {
            var selling = sellingNow.Is(d);
            double? serviceMs = measured.TryGetValue(d.Id, out var own) ? own
                : known.TryGetValue(d.Id, out var last) ? last
                : fleetMedian;
            var limit = d.ConcurrencyLimit;
            var capacity = selling && serviceMs is > 0 ? limit * 3_600_000d / serviceMs.Value : 0;
            return new CapacitySample(d.Id, selling, limit, serviceMs, capacity);
        }).ToList();
        await store.AddCapacitySamplesAsync(RefusalCounter.HourStart(now), samples, cancellationToken);
        return samples;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store {Count} refusals in the ledger ({Error}); kept for the next run")]
    private static partial void LogFlushFailed(ILogger logger, long count, string error);
}
