namespace Meterai.Gateway.Admission;

/// <summary>The gateway-wide queue in front of the distributors' concurrency limits. Bound from <c>Admission</c>.</summary>
public sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Purchases that may wait for a free distributor slot at once; more are answered 503 at once. Default: 2000.</summary>
    public int MaxQueueLength { get; set; } = 2000;

    /// <summary>Longest a purchase waits for a slot. A purchase whose estimated wait is longer is answered 503 at once. Default: 5 seconds.</summary>
    public double MaxWaitSeconds { get; set; } = 5;

    /// <summary>Completed orders over this window give the drain rate behind waits and Retry-After. Default: 10 seconds.</summary>
    public int DrainWindowSeconds { get; set; } = 10;

    public TimeSpan MaxWait => TimeSpan.FromSeconds(MaxWaitSeconds);
}
