using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// An order a distributor charged more than is due for (gateway spec: overcharges), as the ledger
/// records it beside the order, in the same write: the purchase path's answer, a reconciliation
/// look-up, an orphan found.
/// </summary>
internal sealed record Overcharge(string DistributorId, string OrderId, string PurchaseId, int Quantity, long AmountCharged)
{
    internal static readonly LedgerStatement Record = LedgerStatement.Load(
        "record-overcharge", "DistributorId", "OrderId", "PurchaseId", "Quantity", "AmountCharged", "AmountDue", "At");

    public long AmountDue => OrderAmounts.Due(Quantity);

    /// <summary>The overcharge of an order read for a purchase, or null when it was charged no more than is due.</summary>
    public static Overcharge? Of(string? distributorId, string? orderId, string purchaseId, int quantity, long? amount) =>
        distributorId is not null && orderId is not null && amount is { } charged && OrderAmounts.IsOvercharge(charged, quantity)
            ? new Overcharge(distributorId, orderId, purchaseId, quantity, charged)
            : null;

    /// <summary>The statement's values, in its parameters' order.</summary>
    internal object?[] Values(long at) => [DistributorId, OrderId, PurchaseId, Quantity, AmountCharged, AmountDue, at];

    /// <summary>The statement's values by name, for a Dapper connection.</summary>
    internal object Parameters(long at) => new { DistributorId, OrderId, PurchaseId, Quantity, AmountCharged, AmountDue, At = at };
}
