using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Probing;

/// <summary>Active probing of every distributor. Bound from <c>Probing</c>.</summary>
internal sealed class ProbingOptions
{
    public const string Section = "Probing";

    /// <summary>How often each distributor is probed. Default: 15 seconds.</summary>
    [Range(1d, 86_400d)]
    public double IntervalSeconds { get; set; } = 15;

    /// <summary>
    /// A probe not answered by then counts as unhealthy; never longer than <see cref="IntervalSeconds"/>,
    /// so a shorter interval shortens it and rounds never overlap (see <see cref="Timeout"/>). Default: 5 seconds.
    /// </summary>
    [Range(0d, 60d, MinimumIsExclusive = true)]
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>How long raw probe results are kept before they are folded into hourly roll-ups. Default: 48 hours.</summary>
    [Range(1d, 8784d)]
    public double RawRetentionHours { get; set; } = 48;

    /// <summary>On a shared (PostgreSQL) ledger, how often a gateway reads the latest probe round another gateway stored. Default: 2 seconds.</summary>
    [Range(0d, 3600d, MinimumIsExclusive = true)]
    public double SharedRefreshSeconds { get; set; } = 2;

    public TimeSpan SharedRefresh => TimeSpan.FromSeconds(SharedRefreshSeconds);

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    /// <summary>The timeout in force: <see cref="TimeoutSeconds"/>, shortened to the interval when the interval is shorter.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(Math.Min(TimeoutSeconds, IntervalSeconds));

    public TimeSpan RawRetention => TimeSpan.FromHours(RawRetentionHours);
}
