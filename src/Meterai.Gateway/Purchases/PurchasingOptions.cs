namespace Meterai.Gateway.Purchases;

/// <summary>How one purchase is tried across distributors. Bound from <c>Purchasing</c>.</summary>
public sealed class PurchasingOptions
{
    public const string Section = "Purchasing";

    /// <summary>Distributors one purchase is sent to at most, counting refusals. Default: 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>A distributor silent for this long is ambiguous and looked up. Default: 10 seconds.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>No new distributor is tried once this much time has passed since the request arrived. Default: 20 seconds.</summary>
    public double TotalBudgetSeconds { get; set; } = 20;

    /// <summary>Each look-up of an ambiguous order is cut off after this. Default: 2 seconds.</summary>
    public double LookupTimeoutSeconds { get; set; } = 2;

    /// <summary>Look-ups retried after the first, before answering 202 pending. Default: 2.</summary>
    public int LookupRetries { get; set; } = 2;

    /// <summary>Pause between look-up retries. Default: 0.2 seconds.</summary>
    public double LookupRetryDelaySeconds { get; set; } = 0.2;

    public TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    public TimeSpan TotalBudget => TimeSpan.FromSeconds(TotalBudgetSeconds);

    public TimeSpan LookupTimeout => TimeSpan.FromSeconds(LookupTimeoutSeconds);

    public TimeSpan LookupRetryDelay => TimeSpan.FromSeconds(LookupRetryDelaySeconds);
}
