using System.Data.Common;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Observability;

namespace Meterai.Gateway.Purchases;

/// <summary>The orchestrator's answers that sell nothing: stored answers, refusals and "come back".</summary>
internal sealed partial class PurchaseOrchestrator
{
    /// <summary>The answer for a key the ledger already decided: its stored answer, still in progress, or reused with another body.</summary>
    private static IResult Decided(HttpContext context, ClaimResult claim) => claim.Kind switch
    {
        ClaimKind.Replay => Replay(context, claim),
        ClaimKind.InProgress => PurchaseAnswers.InProgress(),
        _ => PurchaseAnswers.KeyReused(),
    };

    /// <summary>The first final answer again: counted as a replay, since it sells nothing.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Replay(HttpContext context, ClaimResult claim)
    {
        context.Items[Replayed] = true;
        return PurchaseAnswers.Stored(context, claim.ReplayStatus, claim.ReplayBody!, claim.PurchaseId!);
    }

    /// <summary>What the ledger holds for a purchase this request no longer owns: its stored answer, or 409 while another request has it.</summary>
    private async Task<IResult> CurrentAnswerAsync(HttpContext context, string purchaseId)
    {
        try
        {
            var record = await ledger.FindAsync(purchaseId, CancellationToken.None);
            return record is { ResponseStatus: { } status, ResponseBody: { } body } && record.Status != PurchaseStatus.InProgress
                ? PurchaseAnswers.Stored(context, status, body, purchaseId)
                : PurchaseAnswers.InProgress();
        }
        catch (DbException ex)
        {
            return LedgerUnavailable(context, ex);
        }
    }

    /// <summary>Nothing was charged, so an honest "come back" is better than a 500.</summary>
    private IResult LedgerUnavailable(HttpContext context, DbException failure)
    {
        LogLedgerUnavailable(logger, failure.GetType().Name);
        metrics.AdmissionRejected(AdmissionRejections.LedgerUnavailable);
        return PurchaseAnswers.Unavailable(context, ProbeRetryAfterSeconds(), "The purchase ledger is unavailable.");
    }

    /// <summary>Every distributor is at its limit and the admission queue cannot take or keep this purchase.</summary>
    private IResult RefusedByQueue(HttpContext context, AdmissionResult refusal)
    {
        metrics.AdmissionRejected(AdmissionRejections.From(refusal.Reason));
        refusals.Refused();
        return PurchaseAnswers.Unavailable(context, refusal.RetryAfterSeconds, "Every distributor is selling at full capacity and the queue is full.");
    }

    /// <summary>When nobody can sell, the next probe round is the earliest anything can change.</summary>
    private int ProbeRetryAfterSeconds() => (int)Math.Clamp(Math.Ceiling(probing.Value.IntervalSeconds), 1, 60);

    /// <summary>
    /// An order charged above its due still counts (the ledger records the overcharge with the answer,
    /// for the report and the audit); one charged below it is accepted, the applicant being no worse off.
    /// </summary>
    private void LogAmount(PurchaseView view)
    {
        var due = OrderAmounts.Due(view.Quantity);
        if (OrderAmounts.IsOvercharge(view.Amount, view.Quantity))
        {
            LogOvercharged(logger, view.PurchaseId, view.DistributorId!, view.OrderId, view.Amount, due);
        }
        else if (OrderAmounts.IsUndercharge(view.Amount, view.Quantity))
        {
            LogUndercharged(logger, view.PurchaseId, view.DistributorId!, view.OrderId, view.Amount, due);
        }
    }
}
