namespace Meterai.Gateway.Health;

/// <summary>Active probing of every distributor. Bound from <c>Probing</c>.</summary>
public sealed class ProbingOptions
{
    public const string Section = "Probing";

    /// <summary>How often each distributor is probed. Default: 15 seconds.</summary>
    public double IntervalSeconds { get; set; } = 15;

    /// <summary>A probe not answered by then counts as unhealthy. Default: 5 seconds.</summary>
    public double TimeoutSeconds { get; set; } = 5;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}
