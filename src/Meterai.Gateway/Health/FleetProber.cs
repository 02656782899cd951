using System.Net;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Health;

/// <summary>
/// Probes every distributor's /health and /stock on a fixed interval and feeds the results to
/// routing. Each probe is bounded by its own timeout, so one slow distributor delays nobody.
/// </summary>
public sealed partial class FleetProber(
    DistributorFleet fleet,
    DistributorClient client,
    DistributorRouting routing,
    IOptions<ProbingOptions> options,
    TimeProvider time,
    ILogger<FleetProber> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await fleet.WhenLoaded.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            await ProbeAllAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public Task ProbeAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(fleet.All.Select(distributor => ProbeAsync(distributor, cancellationToken)));

    private async Task ProbeAsync(DistributorState distributor, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        bool healthy;
        int? stock = null;
        using var timeout = new CancellationTokenSource(options.Value.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var status = await client.GetHealthAsync(distributor.Entry, linked.Token);
            healthy = status == HttpStatusCode.OK;
            if (status == HttpStatusCode.Unauthorized && distributor.Healthy != false)
            {
                LogCredentialsRejected(logger, distributor.Id);
            }

            if (healthy)
            {
                stock = await client.GetStockAsync(distributor.Entry, linked.Token);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            healthy = false;
            LogProbeFailed(logger, ex, distributor.Id);
        }

        distributor.RecordProbe(healthy, time.GetUtcNow(), time.GetElapsedTime(started));
        routing.ReportProbe(distributor, healthy, stock);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} rejected the gateway's credentials (401) on /health; check its apiKey in the registry")]
    private static partial void LogCredentialsRejected(ILogger logger, string distributorId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probe of {DistributorId} failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception, string distributorId);
}
