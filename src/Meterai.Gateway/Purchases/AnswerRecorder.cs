using System.Data.Common;
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
/// The purchase path's writes after a distributor was called, which must not be lost to a passing
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: recording the distributor's answer failed ({Failure}); retry {Retry}")]
    private static partial void LogRetrying(ILogger logger, string purchaseId, int retry, string failure);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Purchase {PurchaseId}: the ledger could not record the distributor's answer after retries")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, string purchaseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: the ledger row is no longer this request's try; its key was not freed by it")]
    private static partial void LogFencedRelease(ILogger logger, string purchaseId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purchase {PurchaseId}: could not free its key; reconciliation releases it")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string purchaseId);
}
