namespace Meterai.Gateway.Purchases;

/// <summary>A purchase as applicants see it (gateway spec: POST and GET /api/purchases).</summary>
public sealed record PurchaseView(
    string PurchaseId,
    string Status,
    string? DistributorId,
    string? OrderId,
    int Quantity,
    long? Amount,
    IReadOnlyList<string> Serials);
