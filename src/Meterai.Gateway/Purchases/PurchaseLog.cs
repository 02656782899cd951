using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;

namespace Meterai.Gateway.Purchases;

/// <summary>The purchase path's log messages, kept apart so the flow of one purchase reads top to bottom.</summary>
internal static partial class PurchaseLog
{
    /// <summary>A distributor refused the order, nothing charged: failing over. A 401 is the gateway's own credentials, for an operator.</summary>
    public static void Refused(ILogger logger, string purchaseId, string distributorId, int? httpStatus, AttemptOutcome outcome)
    {
        if (httpStatus == StatusCodes.Status401Unauthorized)
        {
            CredentialsRejected(logger, distributorId);
        }

        Failover(logger, purchaseId, distributorId, httpStatus ?? 0, outcome);
    }

    // Per attempt, so Debug: a distributor that keeps refusing is passive health's one line.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: distributor {DistributorId} refused ({HttpStatus}, {Outcome}); failing over")]
    private static partial void Failover(ILogger logger, string purchaseId, string distributorId, int httpStatus, AttemptOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: distributor {DistributorId} answered ambiguously (HTTP {HttpStatus}, failure {Failure}); look-up found {Lookup}, answering {Status}")]
    public static partial void Ambiguous(ILogger logger, string purchaseId, string distributorId, int? httpStatus, AttemptFailure failure, LookupKind lookup, string status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: distributor {DistributorId} had no turn for the order within its wait; withdrawn unsent, trying another")]
    public static partial void Withdrawn(ILogger logger, string purchaseId, string distributorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: no distributor could sell after {Attempts} attempts")]
    public static partial void NobodyCouldSell(ILogger logger, string purchaseId, int attempts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: not admitted ({Reason}); number {Position} in line, Retry-After {RetryAfterSeconds} s")]
    public static partial void QueueRejected(ILogger logger, string purchaseId, AdmissionRejectionReason reason, int position, int retryAfterSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} rejected the gateway's credentials (401); check its apiKey in the registry")]
    private static partial void CredentialsRejected(ILogger logger, string distributorId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The purchase ledger is unavailable ({Failure}); answering 503")]
    public static partial void LedgerUnavailable(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: the ledger row is no longer this request's try (taken over by reconciliation or another gateway); the {Write} was not written")]
    public static partial void Fenced(ILogger logger, string purchaseId, string write);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purchase {PurchaseId} failed unexpectedly")]
    public static partial void Unexpected(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Purchase {PurchaseId}: could not record the failure in the ledger; reconciliation must find it")]
    public static partial void SafeguardFailed(ILogger logger, Exception exception, string purchaseId);

    /// <summary>
    /// An order charged above its due still counts (the ledger records the overcharge with the answer,
    /// for the report and the audit); one charged below it is accepted, the applicant being no worse off.
    /// </summary>
    public static void Amount(ILogger logger, PurchaseView view)
    {
        var due = OrderAmounts.Due(view.Quantity);
        if (OrderAmounts.IsOvercharge(view.Amount, view.Quantity))
        {
            Overcharged(logger, view.PurchaseId, view.DistributorId!, view.OrderId, view.Amount, due);
        }
        else if (OrderAmounts.IsUndercharge(view.Amount, view.Quantity))
        {
            Undercharged(logger, view.PurchaseId, view.DistributorId!, view.OrderId, view.Amount, due);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: distributor {DistributorId} charged {AmountCharged} for order {OrderId}, {AmountDue} due; recorded as an overcharge")]
    private static partial void Overcharged(ILogger logger, string purchaseId, string distributorId, string? orderId, long? amountCharged, long amountDue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: distributor {DistributorId} charged {AmountCharged} for order {OrderId}, less than the {AmountDue} due; accepted as it is")]
    private static partial void Undercharged(ILogger logger, string purchaseId, string distributorId, string? orderId, long? amountCharged, long amountDue);
}
