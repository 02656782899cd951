namespace Meterai.Gateway.Kernel;

/// <summary>The docs/api/distributor-api.md's order statuses.</summary>
internal static class DistributorOrderStatus
{
    public const string Pending = "pending";
    public const string Issued = "issued";
    public const string Failed = "failed";
    public const string Refunded = "refunded";
}
