namespace Meterai.Gateway.Kernel;

/// <summary>A purchase's status in the ledger. The first five are what applicants see.</summary>
internal static class PurchaseStatus
{
    public const string Pending = "pending";
    public const string Issued = "issued";
    public const string Failed = "failed";
    public const string RefundDue = "refund_due";
    public const string Refunded = "refunded";

    /// <summary>A gateway is working on it now; a concurrent request with its key gets 409.</summary>
    public const string InProgress = "in_progress";

    /// <summary>No distributor could take it and nothing was charged; the same key may try again.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>What a validated order's distributor status means for the purchase: the one mapping both paths use.</summary>
    public static string FromOrder(string? distributorStatus) => distributorStatus switch
    {
        DistributorOrderStatus.Issued => Issued,
        DistributorOrderStatus.Failed => RefundDue,
        DistributorOrderStatus.Refunded => Refunded,
        _ => Pending,
    };
}
