using System.Data.Common;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Probing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Purchases;

/// <summary>What the orchestrator answers, and what the purchase metrics need to know about it.</summary>
/// <param name="Seller">The distributor whose answer this is, for a 201 or 202.</param>
/// <param name="Replayed">A stored answer given again: counted as a replay, since it sells nothing.</param>
/// <param name="FirstArrival">When the key first arrived in line, for a key that waited there.</param>
/// <param name="Pace">How long to wait before sending the answer (a full fleet's 503).</param>
internal readonly record struct PurchaseAnswer(
    IResult Result, string? Seller = null, bool Replayed = false, DateTimeOffset? FirstArrival = null, TimeSpan Pace = default);

/// <summary>
/// The purchase's answers that sell nothing: the ledger's stored answers, and the refusals and
/// "come back" answers, each counted where the oversight reports and the metrics expect it.
/// </summary>
internal sealed class PurchaseReplies(
    PurchaseLedger ledger,
    GatewayMetrics metrics,
    RefusalCounter refusals,
    WaitingLine line,
    AdmissionControl admission,
    IOptions<ProbingOptions> probing,
    TimeProvider time,
    ILogger<PurchaseReplies> logger)
{
    /// <summary>The answer for a key the ledger already decided: its stored answer, still in progress, or reused with another body.</summary>
    public static PurchaseAnswer Decided(HttpContext context, ClaimResult claim) => claim.Kind switch
    {
        // The first final answer again: counted as a replay, since it sells nothing.
        ClaimKind.Replay => new(PurchaseAnswers.Stored(context, claim.ReplayStatus, claim.ReplayBody!, claim.PurchaseId!), Replayed: true),
        ClaimKind.InProgress => new(PurchaseAnswers.InProgress()),
        _ => new(PurchaseAnswers.KeyReused()),
    };

    /// <summary>What the ledger holds for a purchase this request no longer owns: its stored answer, or 409 while another request has it.</summary>
    public async Task<PurchaseAnswer> CurrentAnswerAsync(HttpContext context, string purchaseId, string? seller)
    {
        try
        {
            var record = await ledger.FindAsync(purchaseId, CancellationToken.None);
            return record is { ResponseStatus: { } status, ResponseBody: { } body } && record.Status != PurchaseStatus.InProgress
                ? new(PurchaseAnswers.Stored(context, status, body, purchaseId), seller)
                : new(PurchaseAnswers.InProgress());
        }
        catch (DbException ex)
        {
            return LedgerUnavailable(context, ex);
        }
    }

    /// <summary>Counts an answer given in the purchase metrics: a replay apart, since it sells nothing; a seller only for a 201 or 202.</summary>
    public void Count(PurchaseAnswer answer, int status, TimeSpan elapsed)
    {
        if (answer.Replayed)
        {
            metrics.PurchaseReplayed(PurchaseOutcomes.FromStatusCode(status));
            return;
        }

        var sold = status is StatusCodes.Status201Created or StatusCodes.Status202Accepted;
        metrics.PurchaseAnswered(sold ? answer.Seller : null, PurchaseOutcomes.FromStatusCode(status), elapsed);
        if (sold && answer.FirstArrival is { } firstArrival)
        {
            metrics.QueueWaited(time.GetUtcNow() - firstArrival);
        }
    }

    /// <summary>
    /// Waits the answer's <see cref="PurchaseAnswer.Pace"/> (a full fleet's 503 leaves a moment late:
    /// <see cref="AdmissionOptions.RefusalPaceMilliseconds"/>).
    /// </summary>
    /// <returns>False when the applicant left meanwhile: nothing is sent.</returns>
    public async ValueTask<bool> PacedAsync(PurchaseAnswer answer, CancellationToken applicantGone)
    {
        if (answer.Pace <= TimeSpan.Zero)
        {
            return true;
        }

        try
        {
            await Task.Delay(answer.Pace, time, applicantGone);
            return true;
        }
        catch (OperationCanceledException) when (applicantGone.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Nothing was charged, so an honest "come back" is better than a 500.</summary>
    public PurchaseAnswer LedgerUnavailable(HttpContext context, DbException failure)
    {
        PurchaseLog.LedgerUnavailable(logger, failure.GetType().Name);
        metrics.AdmissionRejected(AdmissionRejections.LedgerUnavailable);
        return new(PurchaseAnswers.Unavailable(context, ProbeRetryAfterSeconds(), "The purchase ledger is unavailable."));
    }

    /// <summary>
    /// Every distributor is at its limit and this key's turn has not come: it keeps (or takes) its place
    /// in line and hears when its turn is expected, which is also when its place counts again.
    /// </summary>
    /// <param name="couldGrow">Some routable distributor's limit could still grow (<see cref="DistributorRoom.NoteDemand"/>): counted apart too.</param>
    public PurchaseAnswer RefusedByQueue(HttpContext context, string key, AdmissionResult refusal, bool couldGrow) =>
        InLine(context, key, refusal, couldGrow, claimed: null);

    /// <summary>A claimed purchase the queue would not keep waiting (its key is free again, and keeps its place).</summary>
    public PurchaseAnswer QueueGaveUp(HttpContext context, string key, string purchaseId, AdmissionResult refusal, bool couldGrow) =>
        InLine(context, key, refusal, couldGrow, claimed: purchaseId);

    /// <param name="claimed">The purchase the key had claimed, logged with the Retry-After it is given; null at the door.</param>
    private PurchaseAnswer InLine(HttpContext context, string key, AdmissionResult refusal, bool couldGrow, string? claimed)
    {
        metrics.AdmissionRejected(AdmissionRejectionLabel.Of(refusal.Reason));
        if (couldGrow)
        {
            metrics.AdmissionRefusedWithRoom();
        }

        refusals.Refused();

        // A full line gives no place: the key is told when the back of the line is expected, and queues as new.
        // The answer leaves after the pace: the wait and the Retry-After count from when it arrives.
        var position = line.Take(key)?.Position ?? line.Count + 1;
        var pace = admission.RefusalPace;
        var wait = TimeSpan.FromTicks(Math.Max(admission.EstimateInLine(position).Ticks - pace.Ticks, 0));
        var retryAfter = AdmissionControl.RetryAfterFor(wait);
        line.Promise(key, pace + TimeSpan.FromSeconds(retryAfter));
        if (claimed is not null)
        {
            PurchaseLog.QueueRejected(logger, claimed, refusal.Reason, position, retryAfter);
        }

        return new(PurchaseAnswers.InLine(context, retryAfter, position, wait), Pace: pace);
    }

    /// <summary>Every distributor refused, or none was routable (its key is free again).</summary>
    public PurchaseAnswer NobodyCouldSell(HttpContext context, string purchaseId, int attempts)
    {
        PurchaseLog.NobodyCouldSell(logger, purchaseId, attempts);
        metrics.AdmissionRejected(AdmissionRejections.NoDistributor);
        refusals.Refused();
        return new(PurchaseAnswers.Unavailable(context, ProbeRetryAfterSeconds(), "No distributor can sell e-Meterai right now."));
    }

    /// <summary>When nobody can sell, the next probe round is the earliest anything can change.</summary>
    private int ProbeRetryAfterSeconds() => (int)Math.Clamp(Math.Ceiling(probing.Value.IntervalSeconds), 1, 60);
}
