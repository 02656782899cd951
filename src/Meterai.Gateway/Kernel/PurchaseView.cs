namespace Meterai.Gateway.Kernel;

/// <summary>A purchase as applicants see it (docs/api/gateway-api.md: POST and GET /api/purchases).</summary>
internal sealed record PurchaseView(
    string PurchaseId,
    string Status,
    string? DistributorId,
    string? OrderId,
    int Quantity,
    long? Amount,
    IReadOnlyList<string> Serials)
{
    private const string IdPrefix = "pur_";
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>A new purchase id: time-ordered, so the ledger's index grows at its end.</summary>
    public static string NewId(DateTimeOffset now) => IdPrefix + Guid.CreateVersion7(now).ToString("N");

    /// <summary>Whether an id is one <see cref="NewId"/> could have made; anything else is looked up nowhere.</summary>
    public static bool IsWellFormedId(string purchaseId) =>
        purchaseId.Length == IdPrefix.Length + 32
        && purchaseId.StartsWith(IdPrefix, StringComparison.Ordinal)
        && purchaseId.AsSpan(IdPrefix.Length).IndexOfAnyExcept(LowerHex) < 0;

    /// <summary>The one way a purchase's answer is built: serials only once issued.</summary>
    public static PurchaseView Of(string purchaseId, string status, string? distributorId, string? orderId, int quantity, long? amount, IReadOnlyList<string>? serials) =>
        new(purchaseId, status, distributorId, orderId, quantity, amount, status == PurchaseStatus.Issued ? serials ?? [] : []);
}
