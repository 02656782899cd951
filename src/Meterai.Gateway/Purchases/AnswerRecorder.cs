using System.Data.Common;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;

namespace Meterai.Gateway.Purchases;

/// <summary>How recording a distributor's answer went.</summary>
internal enum Recording
{
    Recorded,

    /// <summary>The row is no longer this try's: nothing was written.</summary>
    Fenced,

    /// <summary>The ledger kept failing: nothing was written; the row is still in_progress.</summary>
    Failed,
}

/// <summary>
/// The purchase path's writes that end a try or an attempt, which must not be lost to a passing
/// ledger error: the answer is retried briefly, and a key is freed at best effort (a row left
/// in_progress is released or adopted by reconciliation).
/// </summary>
internal sealed partial class AnswerRecorder(PurchaseLedger ledger, TimeProvider time, ILogger<AnswerRecorder> logger)
{
    // Short: the applicant is waiting, and reconciliation adopts what still could not be written.
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)];

    /// <summary>Records the answer, retrying transient ledger errors. Not cancellable: the distributor has answered.</summary>
    public async Task<Recording> RecordAsync(PurchaseCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await ledger.CompleteAsync(completion, CancellationToken.None) ? Recording.Recorded : Recording.Fenced;
            }
            catch (DbException ex) when (retry < RetryDelays.Length)
            {
                LogRetrying(logger, completion.View.PurchaseId, retry + 1, ex.GetType().Name);
                await Task.Delay(RetryDelays[retry], time);
            }
            catch (DbException ex)
            {
                LogGaveUp(logger, ex, completion.View.PurchaseId);
                return Recording.Failed;
            }
        }
    }

    /// <summary>Frees the key after nothing was charged; false when the try was taken over or the ledger failed.</summary>
    public async Task<bool> ReleaseAsync(PurchaseTry purchaseTry)
    {
        try
        {
            if (await ledger.ReleaseAsync(purchaseTry, time.GetUtcNow(), CancellationToken.None))
            {
                return true;
            }

            LogFencedRelease(logger, purchaseTry.PurchaseId);
        }
        catch (DbException ex)
        {
            LogReleaseFailed(logger, ex, purchaseTry.PurchaseId);
        }

        return false;
    }

    /// <summary>
    /// Closes an attempt that was recorded but never sent (no turn in time, or the distributor
    /// written with the claim left rotation), so that no later attempt can pass for it.
    /// </summary>
    /// <returns>False, with nothing written, when the try was taken over.</returns>
    public async Task<bool> CloseUnsentAsync(PurchaseTry purchaseTry, int attempt)
    {
        if (await ledger.FinishAttemptAsync(purchaseTry, attempt, AttemptClassifier.Withdrawn, null, time.GetUtcNow(), CancellationToken.None))
        {
            return true;
        }

        PurchaseLog.Fenced(logger, purchaseTry.PurchaseId, "withdrawn attempt");
        return false;
    }

    /// <summary>
    /// On an unexpected failure, leave the ledger row in a state reconciliation understands:
    /// pending if an order may have left, free for a retry if none did.
    /// </summary>
    /// <param name="distributorId">Where the last attempt was recorded and may have been sent; null when no order may have left.</param>
    public async Task SafeguardAsync(PurchaseTry purchaseTry, int attempt, string? distributorId, int? httpStatus, int quantity, Exception failure)
    {
        PurchaseLog.Unexpected(logger, failure, purchaseTry.PurchaseId);
        try
        {
            if (distributorId is null)
            {
                await ReleaseAsync(purchaseTry);
                return;
            }

            // Fenced: an answer already recorded (the row left in_progress) is never rewritten.
            var view = PurchaseView.Of(purchaseTry.PurchaseId, PurchaseStatus.Pending, distributorId, null, quantity, null, null);
            await ledger.CompleteAsync(
                new PurchaseCompletion(
                    purchaseTry, view, attempt, AttemptClassifier.LedgerName(AttemptOutcome.Ambiguous), httpStatus, true,
                    StatusCodes.Status202Accepted, PurchaseAnswers.Serialize(view), time.GetUtcNow()),
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            PurchaseLog.SafeguardFailed(logger, ex, purchaseTry.PurchaseId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: recording the distributor's answer failed ({Failure}); retry {Retry}")]
    private static partial void LogRetrying(ILogger logger, string purchaseId, int retry, string failure);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Purchase {PurchaseId}: the ledger could not record the distributor's answer after retries")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: the ledger row is no longer this request's try; its key was not freed by it")]
    private static partial void LogFencedRelease(ILogger logger, string purchaseId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purchase {PurchaseId}: could not free its key; reconciliation releases it")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string purchaseId);
}
