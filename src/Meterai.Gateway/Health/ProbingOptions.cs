namespace Meterai.Gateway.Health;

/// <summary>Active probing of every distributor. Bound from <c>Probing</c>.</summary>
public sealed class ProbingOptions
{
    public const string Section = "Probing";

    /// <summary>How often each distributor is probed. Default: 15 seconds.</summary>
    public double IntervalSeconds { get; set; } = 15;

    /// <summary>A probe not answered by then counts as unhealthy. Default: 5 seconds.</summary>
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>How long raw probe results are kept before they are folded into hourly roll-ups. Default: 48 hours.</summary>
    public double RawRetentionHours { get; set; } = 48;

    /// <summary>On a shared (PostgreSQL) ledger, how often a gateway reads the latest probe round another gateway stored. Default: 2 seconds.</summary>
    public double SharedRefreshSeconds { get; set; } = 2;

    public TimeSpan SharedRefresh => TimeSpan.FromSeconds(SharedRefreshSeconds);

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public TimeSpan RawRetention => TimeSpan.FromHours(RawRetentionHours);
}
