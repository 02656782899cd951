using System.Data.Common;
using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Scheduling;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Cluster;

/// <summary>
/// The live gateways on a shared ledger, read from Quartz's own cluster check-ins
/// (<c>qrtz_scheduler_state</c>), and each distributor's slots split across them
/// (<see cref="ClusterShare"/>, applied with <see cref="DistributorState.SetCeiling"/>).
/// An instance silent for two check-in intervals counts as gone, as Quartz's failover does.
/// </summary>
internal sealed partial class ClusterMembership(
    LedgerDatabase database,
    DistributorFleet fleet,
    IOptions<SchedulingOptions> scheduling,
    IOptions<ProbingOptions> probing,
    TimeProvider time,
    ILogger<ClusterMembership> logger) : BackgroundService
{
    private const string CheckIns = "SELECT instance_name AS InstanceId, last_checkin_time AS LastCheckinTicks FROM qrtz_scheduler_state WHERE sched_name = @name";

    private volatile List<string> _live = [];

    /// <summary>The live instance ids, this one included, ordered; just this one on a single-gateway ledger.</summary>
    public IReadOnlyList<string> LiveInstances => _live.Count > 0 ? _live : [scheduling.Value.ResolvedInstanceId];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.Dialect.Shareable || !scheduling.Value.Enabled)
        {
            return;
        }

        // The shared-state period, so a joining or vanished gateway moves the split within seconds.
        using var timer = new PeriodicTimer(probing.Value.SharedRefresh, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (DbException ex)
            {
                // Keeping the last split is safe: it only ever errs towards fewer slots once an instance is gone.
                LogRefreshFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var self = scheduling.Value.ResolvedInstanceId;
        var horizon = 2 * scheduling.Value.CheckinInterval;
        var now = time.GetUtcNow();
        IEnumerable<(string InstanceId, long LastCheckinTicks)> rows;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            rows = await connection.QueryAsync<(string, long)>(
                new CommandDefinition(CheckIns, new { name = scheduling.Value.InstanceName }, cancellationToken: cancellationToken));
        }

        // Quartz stores check-ins as UTC ticks.
        var live = rows.Where(r => now - new DateTimeOffset(r.LastCheckinTicks, TimeSpan.Zero) <= horizon)
            .Select(r => r.InstanceId)
            .Append(self)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (!live.SequenceEqual(_live))
        {
            LogMembership(logger, live.Count, live);
        }

        _live = live;
        Apply(live.Count, live.IndexOf(self));
    }

    private void Apply(int liveInstances, int rank)
    {
        var index = 0;
        foreach (var distributor in fleet.All)
        {
            distributor.SetCeiling(ClusterShare.PerInstance(distributor.MaxConcurrency, liveInstances, rank, index++));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster: {Count} live gateways ({Instances}); each distributor's maxConcurrency is split across them")]
    private static partial void LogMembership(ILogger logger, int count, IEnumerable<string> instances);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the cluster's check-ins; the last split of distributor limits stays")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
