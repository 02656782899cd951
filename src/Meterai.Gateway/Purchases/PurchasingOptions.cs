using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Purchases;

/// <summary>How one purchase is tried across distributors. Bound from <c>Purchasing</c>.</summary>
internal sealed class PurchasingOptions
{
    public const string Section = "Purchasing";

    /// <summary>Distributors one purchase is sent to at most, counting refusals. Default: 4.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>A distributor silent for this long is ambiguous and looked up. Default: 10 seconds.</summary>
    [Range(0d, 300d, MinimumIsExclusive = true)]
    public double AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>No new distributor is tried once this much time has passed since the request arrived. Default: 20 seconds.</summary>
    [Range(0d, 600d, MinimumIsExclusive = true)]
    public double TotalBudgetSeconds { get; set; } = 20;

    /// <summary>Each look-up of an ambiguous order is cut off after this. Default: 2 seconds.</summary>
    [Range(0d, 60d, MinimumIsExclusive = true)]
    public double LookupTimeoutSeconds { get; set; } = 2;

    /// <summary>Look-ups retried after the first, before answering 202 pending. Default: 2.</summary>
    [Range(0, 10)]
    public int LookupRetries { get; set; } = 2;

    /// <summary>Pause between look-up retries. Default: 0.2 seconds.</summary>
    [Range(0d, 10d)]
    public double LookupRetryDelaySeconds { get; set; } = 0.2;

    public TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    public TimeSpan TotalBudget => TimeSpan.FromSeconds(TotalBudgetSeconds);

    public TimeSpan LookupTimeout => TimeSpan.FromSeconds(LookupTimeoutSeconds);

    public TimeSpan LookupRetryDelay => TimeSpan.FromSeconds(LookupRetryDelaySeconds);
}
