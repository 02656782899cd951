using Meterai.Gateway.Admission;
using Yarp.ReverseProxy.Forwarder;

namespace Meterai.Gateway.Purchases;

// The purchase orchestrator's log messages, kept apart so the flow of one purchase reads top to bottom.
internal sealed partial class PurchaseOrchestrator
{
    // Per attempt, so Debug: a distributor that keeps refusing is passive health's one line.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: distributor {DistributorId} refused ({HttpStatus}, {Outcome}); failing over")]
    private static partial void LogFailover(ILogger logger, string purchaseId, string distributorId, int httpStatus, AttemptOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: distributor {DistributorId} answered ambiguously (HTTP {HttpStatus}, transport {TransportError}); look-up found {Lookup}, answering {Status}")]
    private static partial void LogAmbiguous(ILogger logger, string purchaseId, string distributorId, int? httpStatus, ForwarderError? transportError, LookupKind lookup, string status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: distributor {DistributorId} had no turn for the order within its wait; withdrawn unsent, trying another")]
    private static partial void LogWithdrawn(ILogger logger, string purchaseId, string distributorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: no distributor could sell after {Attempts} attempts")]
    private static partial void LogNobodyCouldSell(ILogger logger, string purchaseId, int attempts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: not admitted ({Reason}); Retry-After {RetryAfterSeconds} s")]
    private static partial void LogQueueRejected(ILogger logger, string purchaseId, AdmissionRejectionReason reason, int retryAfterSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} rejected the gateway's credentials (401); check its apiKey in the registry")]
    private static partial void LogCredentialsRejected(ILogger logger, string distributorId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The purchase ledger is unavailable ({Failure}); answering 503")]
    private static partial void LogLedgerUnavailable(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: the ledger row is no longer this request's try (taken over by reconciliation or another gateway); the {Write} was not written")]
    private static partial void LogFenced(ILogger logger, string purchaseId, string write);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purchase {PurchaseId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Purchase {PurchaseId}: could not record the failure in the ledger; reconciliation must find it")]
    private static partial void LogSafeguardFailed(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: distributor {DistributorId} charged {AmountCharged} for order {OrderId}, {AmountDue} due; recorded as an overcharge")]
    private static partial void LogOvercharged(ILogger logger, string purchaseId, string distributorId, string? orderId, long? amountCharged, long amountDue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: distributor {DistributorId} charged {AmountCharged} for order {OrderId}, less than the {AmountDue} due; accepted as it is")]
    private static partial void LogUndercharged(ILogger logger, string purchaseId, string distributorId, string? orderId, long? amountCharged, long amountDue);
}
