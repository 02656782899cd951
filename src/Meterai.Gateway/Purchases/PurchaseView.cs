namespace Meterai.Gateway.Purchases;

/// <summary>A purchase as applicants see it (docs/api/gateway-api.md: POST and GET /api/purchases).</summary>
public sealed record PurchaseView(
    string PurchaseId,
    string Status,
    string? DistributorId,
    string? OrderId,
    int Quantity,
    long? Amount,
    IReadOnlyList<string> Serials)
{
    /// <summary>The one way a purchase's answer is built: serials only once issued.</summary>
    public static PurchaseView Of(string purchaseId, string status, string? distributorId, string? orderId, int quantity, long? amount, IReadOnlyList<string>? serials) =>
        new(purchaseId, status, distributorId, orderId, quantity, amount, status == PurchaseStatus.Issued ? serials ?? [] : []);
}
