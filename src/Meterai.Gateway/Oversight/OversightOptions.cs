using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The activity rules' thresholds and the oversight schedule. Bound from <c>Oversight</c>.
/// docs/oversight-rules.md states the same rules for regulators.
/// </summary>
public sealed class OversightOptions
{
    public const string Section = "Oversight";

    /// <summary>How often the activity audit runs. Default: 60 minutes.</summary>
    [Range(1d, 10_080d)]
    public double AuditIntervalMinutes { get; set; } = 60;

    /// <summary>The first audit after start, so a fresh gateway judges its fleet early. Default: 90 seconds.</summary>
    [Range(0d, 86_400d)]
    public double FirstAuditDelaySeconds { get; set; } = 90;

    /// <summary>The period each audit judges, ending when it runs. Default: 60 minutes.</summary>
    [Range(1d, 10_080d)]
    public double AuditWindowMinutes { get; set; } = 60;

    /// <summary>Probes needed in the window before availability and stock are judged at all. Default: 4.</summary>
    [Range(1, 100_000)]
    public int MinimumProbes { get; set; } = 4;

    /// <summary><c>unreachable</c> below this share of healthy probes. Default: 0.8.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double AvailabilityThreshold { get; set; } = 0.8;

    /// <summary><c>no_stock</c> when at least this share of its healthy probes found it sold out ("most probes"). Default: 0.5.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double SoldOutThreshold { get; set; } = 0.5;

    /// <summary>
    /// <c>no_sales</c> for a distributor that sold nothing while the rest of the fleet issued at least
    /// this many e-Meterai orders in the window. Default: 20, so a quiet hour flags nobody.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MinimumFleetSales { get; set; } = 20;

    /// <summary><c>undelivered</c> at this many paid purchases not delivered within the delivery deadline. Default: 3.</summary>
    [Range(1, 1_000_000)]
    public int UndeliveredThreshold { get; set; } = 3;

    /// <summary>How often the oversight report is built, covering the interval that just ended. Default: 24 hours.</summary>
    [Range(1d, 8784d)]
    public double ReportIntervalHours { get; set; } = 24;

    public TimeSpan AuditInterval => TimeSpan.FromMinutes(AuditIntervalMinutes);

    public TimeSpan FirstAuditDelay => TimeSpan.FromSeconds(FirstAuditDelaySeconds);

    public TimeSpan AuditWindow => TimeSpan.FromMinutes(AuditWindowMinutes);

    public TimeSpan ReportInterval => TimeSpan.FromHours(ReportIntervalHours);
}
