using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Observability;

/// <summary>Bound from <c>Metrics</c>.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>How often the gauges read from the ledger (open money, open flags) are refreshed. Default: 15 seconds.</summary>
    [Range(1d, 3600d)]
    public double LedgerGaugeRefreshSeconds { get; set; } = 15;
}
