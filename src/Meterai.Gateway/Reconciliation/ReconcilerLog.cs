namespace Meterai.Gateway.Reconciliation;

/// <summary>Every log line reconciliation writes.</summary>
internal static partial class ReconcilerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation pass: {Examined} examined, {Issued} issued, {RefundsDue} refund due, {Refunded} refunded, {NothingCharged} not charged, {StillOpen} still open, {Contended} taken by another pass, {Errors} errors")]
    public static partial void Pass(ILogger logger, int examined, int issued, int refundsDue, int refunded, int nothingCharged, int stillOpen, int contended, int errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: issued by {DistributorId} as order {OrderId} with {SerialCount} serials")]
    public static partial void Issued(ILogger logger, string purchaseId, string distributorId, string orderId, int serialCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: refund due from {DistributorId}: {Reason}")]
    public static partial void RefundDue(ILogger logger, string purchaseId, string distributorId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: refunded by {DistributorId} (order {OrderId})")]
    public static partial void Refunded(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} refused the refund of order {OrderId} because it is issued; recording it issued")]
    public static partial void RefundRefusedIssued(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} does not know order {OrderId} it was asked to refund; asking again later")]
    public static partial void RefundUnknownOrder(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} does not know order {OrderId} it gave the gateway; asking again later")]
    public static partial void OrderIdUnknown(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: nothing was charged ({Reason}); it is unavailable and its key may be used again")]
    public static partial void NothingCharged(ILogger logger, string purchaseId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: past the delivery deadline and {DistributorId} still cannot say whether an order exists; asking again later")]
    public static partial void OverdueUnknown(ILogger logger, string purchaseId, string distributorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {Call} at {DistributorId} failed ({Failure}: {Detail}); asking again later")]
    public static partial void CallFailed(ILogger logger, string purchaseId, string distributorId, string call, string failure, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} described an order that cannot be recorded ({Problem}); asking again later")]
    public static partial void UnusableOrder(ILogger logger, string purchaseId, string distributorId, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: {DistributorId} has no order for its key yet, before the delivery deadline; it stays bound to that distributor")]
    public static partial void NotFoundYet(ILogger logger, string purchaseId, string distributorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} left the registry; its {Count} open purchases are resolved at its last known address")]
    public static partial void DepartedDistributor(ILogger logger, string distributorId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: changed by another pass while {Status}; leaving it to that pass")]
    public static partial void Contended(ILogger logger, string purchaseId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Distributor {DistributorId} is not in the registry and its last known address is unknown; its {Count} open purchases cannot be reconciled until it is back")]
    public static partial void UnknownDistributor(ILogger logger, string distributorId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} failed {Failures} reconciliation calls in a row; its other purchases wait for their next check")]
    public static partial void SkippingDistributor(ILogger logger, string distributorId, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purchase {PurchaseId}: reconciliation could not write the ledger; it is checked again later")]
    public static partial void PurchaseFailed(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} charged order {OrderId} for it after the purchase was released or sold elsewhere; the orphan is refunded")]
    public static partial void OrphanRefunded(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purchase {PurchaseId}: {DistributorId} issued order {OrderId} for it after the purchase was released or sold elsewhere; an issued order cannot be refunded, so the distributor owes the applicant a credit (oversight report)")]
    public static partial void OrphanDelivered(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: {DistributorId} created no order for its key within {HorizonHours} h of the attempt it did not answer; no longer asked")]
    public static partial void OrphanUnseen(ILogger logger, string purchaseId, string distributorId, double horizonHours);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orphan sweep: {Refunded} orphan orders refunded, {Delivered} found delivered")]
    public static partial void OrphanPass(ILogger logger, int refunded, int delivered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} charged {AmountCharged} for order {OrderId}, {AmountDue} due; recorded as an overcharge")]
    public static partial void Overcharged(ILogger logger, string purchaseId, string distributorId, string orderId, long amountCharged, long amountDue);
}
