namespace Meterai.Gateway.Distributors;

/// <summary>An order as a distributor describes it (docs/api/distributor-api.md: POST /orders and GET /orders).</summary>
/// <remarks>Every member is optional: an answer is checked by the caller, not trusted by its shape.</remarks>
internal sealed record DistributorOrder(
    string? OrderId,
    string? Status,
    int? Quantity,
    long? Amount,
    IReadOnlyList<string>? Serials,
    string? IdempotencyKey);

/// <summary>GET /stock.</summary>
internal sealed record DistributorStock(int? Available, long? UnitPrice);
