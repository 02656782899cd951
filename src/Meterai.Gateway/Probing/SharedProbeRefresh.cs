using System.Data.Common;
using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Probing;

/// <summary>
/// On a ledger that several gateways share, the probe job runs on one of them per round (Quartz
/// clustering); every gateway reads the latest stored round back every
/// <c>Probing:SharedRefreshSeconds</c> and routes on it, so all instances route on, and
/// <c>/api/status</c> reports, the same probed health and stock.
/// </summary>
/// <remarks>
/// Only probe results are shared. Passive health (failure rates) and learned limits stay local:
/// each instance judges the distributor by the answers to its own requests, which the others
/// never see, and sharing them would add a ledger write to every purchase for a signal that
/// probes already correct within one interval.
/// </remarks>
internal sealed partial class SharedProbeRefresh(
    LedgerDatabase database,
    DistributorFleet fleet,
    DistributorRouting routing,
    IOptions<ProbingOptions> options,
    TimeProvider time,
    ILogger<SharedProbeRefresh> logger) : BackgroundService
{
    // The newest row per distributor; the primary key (distributor_id, probed_at) serves both halves.
    private const string LatestProbes = """
        SELECT p.distributor_id AS DistributorId, p.probed_at AS ProbedAt, p.healthy AS Healthy, p.stock AS Stock, p.latency_ms AS LatencyMs
        FROM probes p
        JOIN (SELECT distributor_id, MAX(probed_at) AS probed_at FROM probes GROUP BY distributor_id) latest
          ON latest.distributor_id = p.distributor_id AND latest.probed_at = p.probed_at
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.Dialect.Shareable)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SharedRefresh, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (DbException ex)
            {
                // The next tick tries again; meanwhile routing keeps what it had.
                LogRefreshFailed(logger, ex);
            }
        }
    }

    /// <summary>Applies every stored probe newer than what this gateway holds; returns how many.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        if (!fleet.IsLoaded)
        {
            return 0;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredProbe>(new CommandDefinition(LatestProbes, cancellationToken: cancellationToken));
        var applied = 0;
        foreach (var row in rows)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(row.ProbedAt);

            // A round this gateway ran itself is held with sub-millisecond precision, so it is never newer here.
            if (!fleet.TryGet(row.DistributorId, out var distributor) || distributor.LastProbedAt >= at)
            {
                continue;
            }

            distributor.RecordProbe(row.Healthy != 0, at, TimeSpan.FromMilliseconds(row.LatencyMs));
            routing.ReportProbe(distributor, row.Healthy != 0, row.Stock);
            applied++;
        }

        return applied;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the shared probe results from the ledger; routing keeps the last ones")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    private sealed record StoredProbe(string DistributorId, long ProbedAt, int Healthy, int? Stock, int LatencyMs);
}
