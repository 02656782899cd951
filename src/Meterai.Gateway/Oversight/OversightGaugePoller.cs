using System.Collections.Frozen;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Reconciliation;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// Reads the ledger's open money (unresolved purchases, refunds due) and the open activity flags
/// every <c>Metrics:LedgerGaugeRefreshSeconds</c> and publishes them to the gauges. An interval,
/// not a query per scrape: a few seconds of lag on "refunds due" changes no decision.
/// </summary>
internal sealed partial class OversightGaugePoller(
    UnresolvedPurchases unresolved,
    OversightStore oversight,
    IOversightGauges gauges,
    IOptions<MetricsOptions> options,
    TimeProvider time,
    ILogger<OversightGaugePoller> logger) : BackgroundService
{
    private static readonly string[] Reasons = [FlagReasons.Unreachable, FlagReasons.NoStock, FlagReasons.NoSales, FlagReasons.Undelivered, FlagReasons.Overcharged];

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var (open, refunds) = await unresolved.CountAsync(cancellationToken);
        var flags = await oversight.GetFlagsAsync(openOnly: true, cancellationToken);
        var byReason = Reasons.ToDictionary(r => r, _ => 0, StringComparer.Ordinal);
        foreach (var flag in flags)
        {
            byReason[flag.Reason] = byReason.GetValueOrDefault(flag.Reason) + 1;
        }

        gauges.Publish(new OversightReading(open, refunds, byReason.ToFrozenDictionary(), flags.Select(f => f.DistributorId).ToFrozenSet(StringComparer.Ordinal)));
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Every reason is a series from the first scrape, even before the ledger has answered.
        gauges.Publish(OversightReading.Empty with { OpenFlagsByReason = Reasons.ToFrozenDictionary(r => r, _ => 0, StringComparer.Ordinal) });
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.LedgerGaugeRefreshSeconds), time);
        do
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                // Stale gauges beat a dead poller: the ledger's own health shows on /readyz.
                LogPollFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the ledger for the oversight gauges")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
