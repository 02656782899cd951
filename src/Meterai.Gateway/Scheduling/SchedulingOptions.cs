namespace Meterai.Gateway.Scheduling;

/// <summary>The Quartz scheduler that runs the gateway's recurring jobs. Bound from <c>Scheduling</c>.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Whether the scheduler runs at all; tests that drive jobs by hand switch it off. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scheduler's name in Quartz's tables; gateways sharing one ledger share one schedule under it. Default: <c>meterai-gateway</c>.</summary>
    public string InstanceName { get; set; } = "meterai-gateway";
}
