using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Reconciliation;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Observability;

/// <summary>Bound from <c>Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>How often the gauges read from the ledger (open money, open flags) are refreshed. Default: 15 seconds.</summary>
    [Range(1d, 3600d)]
    public double LedgerGaugeRefreshSeconds { get; set; } = 15;
}

/// <summary>
/// The gauges that come from the ledger, refreshed on an interval rather than queried on every
/// scrape: a scrape must stay cheap however often Prometheus asks, and a few seconds of lag on
/// "refunds due" changes no decision. Several gateways on one ledger report the same values, so
/// dashboards take their max, not their sum.
/// </summary>
public sealed partial class LedgerGauges(
    UnresolvedPurchases unresolved,
    OversightStore oversight,
    IOptions<MetricsOptions> options,
    TimeProvider time,
    ILogger<LedgerGauges> logger) : BackgroundService
{
    private volatile Snapshot _snapshot = Snapshot.Empty;

    public long Unresolved => _snapshot.Unresolved;

    public long RefundsDue => _snapshot.RefundsDue;

    public IReadOnlyDictionary<string, int> OpenFlagsByReason => _snapshot.FlagsByReason;

    public bool IsFlagged(string distributorId) => _snapshot.Flagged.Contains(distributorId);

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var (open, refunds) = await unresolved.CountAsync(cancellationToken);
        var flags = await oversight.GetFlagsAsync(openOnly: true, cancellationToken);
        var byReason = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [FlagReasons.Unreachable] = 0,
            [FlagReasons.NoStock] = 0,
            [FlagReasons.NoSales] = 0,
            [FlagReasons.Undelivered] = 0,
        };
        foreach (var flag in flags)
        {
            byReason[flag.Reason] = byReason.GetValueOrDefault(flag.Reason) + 1;
        }

        _snapshot = new Snapshot(open, refunds, byReason.ToFrozenDictionary(), flags.Select(f => f.DistributorId).ToFrozenSet(StringComparer.Ordinal));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.LedgerGaugeRefreshSeconds), time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                // Stale gauges beat a dead refresher: the ledger's own health shows on /readyz.
                LogRefreshFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the ledger gauges")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    private sealed record Snapshot(long Unresolved, long RefundsDue, IReadOnlyDictionary<string, int> FlagsByReason, FrozenSet<string> Flagged)
    {
        public static readonly Snapshot Empty = new(0, 0, FrozenDictionary<string, int>.Empty, FrozenSet<string>.Empty);
    }
}
