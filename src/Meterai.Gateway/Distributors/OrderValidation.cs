using Meterai.Gateway.Kernel;

namespace Meterai.Gateway.Distributors;

/// <summary>
/// Whether a distributor's description of an order (a POST answer or a look-up) can be recorded
/// for a purchase: the one check both the purchase path and reconciliation make. An order that
/// fails it is ambiguous, never issued: the purchase is looked up again later.
/// </summary>
internal static class OrderValidation
{
    /// <param name="purchaseId">The Idempotency-Key the gateway sent for this purchase.</param>
    /// <param name="quantity">The purchase's quantity: an issued order carries that many serials.</param>
    /// <param name="knownOrderId">The order id the distributor gave earlier, if any.</param>
    /// <returns>Null when the order can be recorded; otherwise why not, for the log.</returns>
    public static string? Problem(DistributorOrder order, string purchaseId, int quantity, string? knownOrderId)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (string.IsNullOrEmpty(order.OrderId))
        {
            return "no order id";
        }

        if (order.IdempotencyKey is { } key && !string.Equals(key, purchaseId, StringComparison.Ordinal))
        {
            return "an order for another idempotency key";
        }

        if (knownOrderId is not null && !string.Equals(knownOrderId, order.OrderId, StringComparison.Ordinal))
        {
            return "another order than the one recorded";
        }

        if (order.Quantity is { } ordered && ordered != quantity)
        {
            return $"an order of {ordered} for a quantity of {quantity}";
        }

        return order.Status switch
        {
            DistributorOrderStatus.Issued when order.Serials is not { } serials || serials.Count != quantity || serials.Any(string.IsNullOrEmpty) =>
                $"issued with {order.Serials?.Count ?? 0} serials for a quantity of {quantity}",
            DistributorOrderStatus.Issued or DistributorOrderStatus.Pending or DistributorOrderStatus.Failed or DistributorOrderStatus.Refunded => null,
            _ => $"status '{order.Status ?? "(none)"}' is not one the Distributor API (version 1) defines",
        };
    }
}
