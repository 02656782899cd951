using System.Data.Common;
using System.Net;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Resilience;
using Meterai.Gateway.Routing;
using Polly;
using Polly.Timeout;

namespace Meterai.Gateway.Probing;

/// <summary>
/// One probe round: every distributor's /health, then /stock when healthy, all at once. Each
/// distributor's result reaches routing the moment it is known, and each probe is bounded by its
/// own Polly timeout, so a slow distributor delays neither the others nor the next round.
/// </summary>
internal sealed partial class FleetProbe
{
    private readonly DistributorFleet _fleet;
    private readonly DistributorClient _client;
    private readonly DistributorRouting _routing;
    private readonly ProbeStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<FleetProbe> _logger;
    private readonly ResiliencePipelines _pipelines;
    private readonly GatewayMetrics _metrics;

    public FleetProbe(
        DistributorFleet fleet,
        DistributorClient client,
        DistributorRouting routing,
        ProbeStore store,
        ResiliencePipelines pipelines,
        GatewayMetrics metrics,
        TimeProvider time,
        ILogger<FleetProbe> logger)
    {
        _fleet = fleet;
        _client = client;
        _routing = routing;
        _store = store;
        _time = time;
        _logger = logger;
        _metrics = metrics;

        _pipelines = pipelines;
    }

    /// <summary>Probes every registered distributor, feeds routing, and stores the round; nothing before the fleet is loaded.</summary>
    public async Task<IReadOnlyList<ProbeResult>> ProbeAllAsync(CancellationToken cancellationToken)
    {
        if (!_fleet.IsLoaded)
        {
            return [];
        }

        var results = await Task.WhenAll(_fleet.All.Select(distributor => ProbeAsync(distributor, cancellationToken)));
        try
        {
            await _store.SaveRoundAsync(results, cancellationToken);
        }
        catch (DbException ex)
        {
            // Routing already has the round; losing its record is worth a warning, not a failed job.
            LogStoreFailed(_logger, ex, results.Length);
        }

        return results;
    }

    private async Task<ProbeResult> ProbeAsync(DistributorState distributor, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        bool healthy;
        int? stock = null;
        try
        {
            // Keyed per distributor (the registry caches each), so its timeouts name the distributor.
            (healthy, stock) = await _pipelines.Get(ResiliencePipelines.Probe, distributor.Id).ExecuteAsync(
                static async (state, token) =>
                {
                    var (self, target) = state;
                    var status = await self._client.GetHealthAsync(target.Entry, token);
                    if (status == HttpStatusCode.Unauthorized && target.Healthy != false)
                    {
                        LogCredentialsRejected(self._logger, target.Id);
                    }

                    return status == HttpStatusCode.OK
                        ? (true, await self._client.GetStockAsync(target.Entry, token))
                        : (false, (int?)null);
                },
                (this, distributor),
                cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException or JsonException or NotSupportedException
                                   && !cancellationToken.IsCancellationRequested)
        {
            // Unreachable, too slow or unreadable: none of these can sell right now.
            healthy = false;
            stock = null;
            // The message is the whole story (refused, timed out); the change to down is routing's one line.
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var (failure, detail) = (ex.GetType().Name, ex.Message);
                LogProbeFailed(_logger, distributor.Id, failure, detail);
            }
        }

        var at = _time.GetUtcNow();
        var latency = _time.GetElapsedTime(started);
        distributor.RecordProbe(healthy, at, latency);
        _metrics.Probed(distributor.Id, latency);
        _routing.ReportProbe(distributor, healthy, stock);
        return new ProbeResult(distributor.Id, at, healthy, stock, latency);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} rejected the gateway's credentials (401) on /health; check its apiKey in the registry")]
    private static partial void LogCredentialsRejected(ILogger logger, string distributorId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probe of {DistributorId} failed: {Failure}: {Detail}")]
    private static partial void LogProbeFailed(ILogger logger, string distributorId, string failure, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A probe round of {Count} results could not be stored; routing has it, the history misses it")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, int count);
}
