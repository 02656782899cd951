using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The activity rules' thresholds and the oversight schedule. Bound from <c>Oversight</c>.
/// docs/oversight-rules.md states the same rules for regulators.
/// </summary>
internal sealed class OversightOptions
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

    /// <summary>The length of each scheduled report's period; one is built as each period ends. Default: 24 hours.</summary>
    [Range(1d, 744d)]
    public double ReportIntervalHours { get; set; } = 24;

    /// <summary>The time zone report periods are counted in, as hours from UTC. Default: 7 (WIB, Jakarta).</summary>
    [Range(-12d, 14d)]
    public double ReportUtcOffsetHours { get; set; } = 7;

    /// <summary>The local hour scheduled report periods start and end on. Default: 0, so daily reports run 00:00 to 00:00 WIB.</summary>
    [Range(0, 23)]
    public int ReportBoundaryHour { get; set; }

    /// <summary>At most this many ended periods without a report are built after downtime, newest kept. Default: 31.</summary>
    [Range(1, 366)]
    public int ReportCatchUpPeriods { get; set; } = 31;

    /// <summary>How often the fleet's capacity is sampled and the refusals counted in memory are stored. Default: 60 seconds.</summary>
    [Range(5d, 3600d)]
    public double EvidenceSampleSeconds { get; set; } = 60;

    public TimeSpan EvidenceSampleInterval => TimeSpan.FromSeconds(EvidenceSampleSeconds);

    public TimeSpan AuditInterval => TimeSpan.FromMinutes(AuditIntervalMinutes);

    public TimeSpan FirstAuditDelay => TimeSpan.FromSeconds(FirstAuditDelaySeconds);

    public TimeSpan AuditWindow => TimeSpan.FromMinutes(AuditWindowMinutes);

    public TimeSpan ReportInterval => TimeSpan.FromHours(ReportIntervalHours);
}
