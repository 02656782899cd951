using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Scheduling;

/// <summary>The Quartz scheduler that runs the gateway's recurring jobs. Bound from <c>Scheduling</c>.</summary>
internal sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Whether the scheduler runs at all; tests that drive jobs by hand switch it off. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scheduler's name in Quartz's tables; gateways sharing one ledger share one schedule under it. Default: <c>meterai-gateway</c>.</summary>
    public string InstanceName { get; set; } = "meterai-gateway";

    /// <summary>This gateway's id in the cluster, unique per instance; <c>AUTO</c> makes one from the host, the process and a random suffix. Default: <c>AUTO</c>.</summary>
    public string InstanceId { get; set; } = AutoInstanceId;

    public const string AutoInstanceId = "AUTO";

    // Host and pid say which gateway it is; the suffix keeps two schedulers of one process (tests) apart.
    private readonly Lazy<string> _auto = new(() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");

    /// <summary><see cref="InstanceId"/>, with <c>AUTO</c> replaced by the id it makes.</summary>
    public string ResolvedInstanceId => InstanceId == AutoInstanceId ? _auto.Value : InstanceId;

    /// <summary>How often a clustered gateway (PostgreSQL ledger) checks in; one silent for longer is taken over. 1 to 300. Default: 10.</summary>
    [Range(1, 300)]
    public int CheckinIntervalSeconds { get; set; } = 10;

    public TimeSpan CheckinInterval => TimeSpan.FromSeconds(CheckinIntervalSeconds);
}
