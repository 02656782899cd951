using System.Data.Common;
using Meterai.Gateway.Ledger;

namespace Meterai.Gateway.Purchases;

/// <summary>The orchestrator's ledger writes for attempts that did not sell: unsent ones closed, and the safeguard after a failure.</summary>
internal sealed partial class PurchaseOrchestrator
{
    /// <summary>
    /// Closes an attempt that was recorded but never sent (no turn in time, or the distributor
    /// written with the claim left rotation), so that no later attempt can pass for it.
    /// </summary>
    /// <returns>False, with nothing written, when the try was taken over.</returns>
    private async Task<bool> CloseUnsentAsync(PurchaseAttemptFeature attempt, int number)
    {
        if (await ledger.FinishAttemptAsync(attempt.Try, number, AttemptClassifier.Withdrawn, null, time.GetUtcNow(), CancellationToken.None))
        {
            return true;
        }

        LogFenced(logger, attempt.PurchaseId, "withdrawn attempt");
        return false;
    }

    /// <summary>
    /// On an unexpected failure, leave the ledger row in a state reconciliation understands:
    /// pending if an order may have left, free for a retry if none did.
    /// </summary>
    private async Task SafeguardAsync(PurchaseAttemptFeature attempt, PurchaseRequest request, Exception failure)
    {
        LogUnexpected(logger, failure, attempt.PurchaseId);
        try
        {
            if (attempt.Distributor is { } distributor && !attempt.Withdrawn)
            {
                // Fenced: an answer already recorded (the row left in_progress) is never rewritten.
                var view = PurchaseView.Of(attempt.PurchaseId, PurchaseStatus.Pending, distributor.Id, null, request.Quantity, null, null);
                var body = PurchaseAnswers.Serialize(view);
                await ledger.CompleteAsync(
                    new PurchaseCompletion(
                        attempt.Try, view, attempt.Number, AttemptClassifier.LedgerName(AttemptOutcome.Ambiguous), attempt.Status, true, StatusCodes.Status202Accepted, body, time.GetUtcNow()),
                    CancellationToken.None);
            }
            else
            {
                await answers.ReleaseAsync(attempt.Try);
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            LogSafeguardFailed(logger, ex, attempt.PurchaseId);
        }
    }
}
