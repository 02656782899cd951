using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Polly;
using Polly.Timeout;

namespace Meterai.Gateway.Reconciliation;

/// <summary>
/// The state machine of one open purchase, one check at a time: an in_progress row a dead gateway
/// left is adopted (or released once past its deadline), a pending one followed up until issued or
/// refund_due, a refund_due one refunded until the distributor confirms. Each check is claimed in
/// the ledger first and its outcome written as one UPDATE guarded by the state that was read.
/// </summary>
/// <remarks>
/// A purchase sent to a distributor stays bound to it until that distributor's answer is known or
/// the delivery deadline (from the current try's claim) has passed: a 404 by key before then is
/// not trusted, because a slow distributor may still create and charge the order. Past the
/// deadline the key is freed; an order that distributor creates even later is an orphan, refunded
/// by <see cref="OrphanSweep"/>.
/// </remarks>
internal sealed class PurchaseReconciler(
    ReconciliationLedger ledger,
    OrderLookup lookup,
    DistributorClient client,
    ReconciliationOptions options,
    ResiliencePipeline call,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Attempt outcome written for an attempt a dead gateway left open: its answer was lost.</summary>
    private const string LostAnswerOutcome = "ambiguous";

    private readonly ReconciliationLedger _ledger = ledger;
    private readonly OrderLookup _lookup = lookup;
    private readonly DistributorClient _client = client;
    private readonly ReconciliationOptions _options = options;
    private readonly ResiliencePipeline _call = call;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    /// <summary>Counts a check without calling the distributor (unknown, or failing this pass) and moves the next one along.</summary>
    public async Task<CheckResult> DeferAsync(OpenPurchase purchase, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var claimed = await _ledger.ClaimCheckAsync(purchase, now + _options.BackoffAfter(purchase.Checks + 1), cancellationToken);
        return new CheckResult(claimed ? CheckOutcome.StillOpen : CheckOutcome.Contended);
    }

    public async Task<CheckResult> ReconcileAsync(OpenPurchase purchase, DistributorEntry? distributor, CancellationToken cancellationToken)
    {
        var work = new PurchaseCheck(purchase);

        // No attempt was ever written, so no request left: nothing can have been charged.
        if (purchase.Status == PurchaseStatus.InProgress && purchase.DistributorId is null)
        {
            var released = await ApplyAsync(work, PurchaseStatus.Unavailable, _time.GetUtcNow(), cancellationToken);
            if (released)
            {
                ReconcilerLog.NothingCharged(_logger, purchase.PurchaseId, "no attempt was started");
            }

            return work.Finish(released ? CheckOutcome.NothingCharged : CheckOutcome.Contended);
        }

        // At most: adopt or follow up, then request the refund that decided.
        for (var step = 0; step < 3 && distributor is not null; step++)
        {
            var now = _time.GetUtcNow();
            var nextCheckAt = now + _options.BackoffAfter(work.Purchase.Checks + 1);
            if (!await _ledger.ClaimCheckAsync(work.Purchase, nextCheckAt, cancellationToken))
            {
                return work.Finish(step == 0 ? CheckOutcome.Contended : CheckOutcomes.Of(work.Purchase.Status));
            }

            work.Purchase.Checks++;
            work.Purchase.NextCheckAt = nextCheckAt.ToUnixTimeMilliseconds();
            var before = work.Purchase.Status;
            var changed = before switch
            {
                PurchaseStatus.InProgress => await AdoptAsync(work, distributor, now, cancellationToken),
                PurchaseStatus.Pending => await FollowUpAsync(work, distributor, now, cancellationToken),
                PurchaseStatus.RefundDue => await RefundAsync(work, distributor, now, cancellationToken),
                _ => false,
            };

            // Another check right away only when it has become refund_due: the refund is owed now.
            if (!changed || work.Purchase.Status != PurchaseStatus.RefundDue)
            {
                break;
            }
        }

        return work.Finish(work.Contended ? CheckOutcome.Contended : CheckOutcomes.Of(work.Purchase.Status));
    }

    /// <summary>An in_progress row whose gateway died after sending an attempt: what happened at the distributor?</summary>
    private async Task<bool> AdoptAsync(PurchaseCheck work, DistributorEntry distributor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purchase = work.Purchase;
        var found = await LookUpAsync(work, distributor, byKey: true, cancellationToken);
        switch (found.Kind)
        {
            case LookupKind.NotFound when !IsOverdue(purchase, now):
                // A slow distributor may still be working through the request: the purchase stays
                // bound to it, out of in_progress so the applicant's retry hears 202 pending, not 409.
                ReconcilerLog.NotFoundYet(_logger, purchase.PurchaseId, distributor.Id);
                return await ApplyAsync(
                    work, PurchaseStatus.Pending, now, cancellationToken, ambiguous: true, nextCheckAt: Next(purchase), attemptOutcome: LostAnswerOutcome);
            case LookupKind.NotFound:
                // Distributor spec: 404 by key means no order exists; past the deadline that is trusted.
                if (await ApplyAsync(work, PurchaseStatus.Unavailable, now, cancellationToken, attemptOutcome: LostAnswerOutcome))
                {
                    ReconcilerLog.NothingCharged(_logger, purchase.PurchaseId, "its gateway stopped mid-request and the distributor has no order for its key");
                    return true;
                }

                return false;
            case LookupKind.Unknown:
                // Out of in_progress, so the applicant's retry gets the pending answer instead of 409 for ever.
                return await ApplyAsync(
                    work, PurchaseStatus.Pending, now, cancellationToken, ambiguous: true, nextCheckAt: Next(purchase), attemptOutcome: LostAnswerOutcome);
            default:
                return await ApplyOrderAsync(work, found.Order!, now, cancellationToken, attemptOutcome: LostAnswerOutcome);
        }
    }

    /// <summary>A pending purchase: delivered yet, failed, or overdue?</summary>
    private async Task<bool> FollowUpAsync(PurchaseCheck work, DistributorEntry distributor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purchase = work.Purchase;
        var found = await LookUpAsync(work, distributor, byKey: purchase.OrderId is null, cancellationToken);
        if (found.Kind == LookupKind.Found)
        {
            return await ApplyOrderAsync(work, found.Order!, now, cancellationToken);
        }

        if (!IsOverdue(purchase, now))
        {
            return false; // the claim already moved the next check along the backoff
        }

        if (purchase.OrderId is null && found.Kind == LookupKind.NotFound)
        {
            // Ambiguous from the start and, past the deadline, still no order for its key: the
            // docs/api/distributor-api.md says nothing was charged. Before the deadline a 404 is not trusted,
            // because a slow distributor may still be working through the request.
            if (await ApplyAsync(work, PurchaseStatus.Unavailable, now, cancellationToken))
            {
                ReconcilerLog.NothingCharged(_logger, purchase.PurchaseId, "its answer was ambiguous and the distributor has no order for its key past the delivery deadline");
                return true;
            }

            return false;
        }

        if (purchase.OrderId is null)
        {
            // Whether anything was charged is still unknown, and a refund needs an order: keep asking.
            ReconcilerLog.OverdueUnknown(_logger, purchase.PurchaseId, distributor.Id);
            return false;
        }

        // Charged (the distributor gave an order id) and not delivered by the deadline.
        return await BecomeRefundDueAsync(work, now, "not delivered by the deadline", cancellationToken);
    }

    /// <summary>A refund is owed: ask for it until the distributor confirms.</summary>
    private async Task<bool> RefundAsync(PurchaseCheck work, DistributorEntry distributor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purchase = work.Purchase;
        if (purchase.OrderId is null)
        {
            // A refund needs the order id; learn it by key first.
            var found = await LookUpAsync(work, distributor, byKey: true, cancellationToken);
            switch (found.Kind)
            {
                case LookupKind.NotFound when !IsOverdue(purchase, now):
                    return false; // not trusted before the deadline: a slow distributor may still create it
                case LookupKind.NotFound:
                    if (await ApplyAsync(work, PurchaseStatus.Unavailable, now, cancellationToken))
                    {
                        ReconcilerLog.NothingCharged(_logger, purchase.PurchaseId, "a refund was due but the distributor has no order for its key");
                        return true;
                    }

                    return false;
                case LookupKind.Unknown:
                    return false;
                default:
                    if (found.Order!.Status is DistributorOrderStatus.Issued or DistributorOrderStatus.Refunded)
                    {
                        return await ApplyOrderAsync(work, found.Order, now, cancellationToken);
                    }

                    purchase.OrderId = found.Order.OrderId;
                    break;
            }
        }

        RefundAnswer answer;
        try
        {
            work.Called = true;
            answer = await _call.ExecuteAsync(
                static async (state, token) => await state.Client.RequestRefundAsync(state.Distributor, state.OrderId, token),
                (Client: _client, Distributor: distributor, OrderId: purchase.OrderId!),
                cancellationToken);
        }
        catch (Exception ex) when (IsCallFailure(ex, cancellationToken))
        {
            work.CallFailed = true;
            ReconcilerLog.CallFailed(_logger, purchase.PurchaseId, distributor.Id, "refund", ex.GetType().Name, ex.Message);
            return false;
        }

        switch (answer)
        {
            case RefundAnswer.Refunded:
                if (await ApplyAsync(work, PurchaseStatus.Refunded, now, cancellationToken, orderId: purchase.OrderId))
                {
                    ReconcilerLog.Refunded(_logger, purchase.PurchaseId, distributor.Id, purchase.OrderId!);
                    return true;
                }

                return false;
            case RefundAnswer.AlreadyIssued:
                // 409: the order is issued after all; the serials were delivered late, after the
                // deadline or after a look-up saw it failed or pending. A delivered e-Meterai is not
                // refunded (docs/api/distributor-api.md), so the applicant is owed the serials, not the money:
                // read them and record the purchase issued. If that read fails, the next check asks
                // for the refund again, gets 409 again and reads again.
                ReconcilerLog.RefundRefusedIssued(_logger, purchase.PurchaseId, distributor.Id, purchase.OrderId!);
                var order = await LookUpAsync(work, distributor, byKey: false, cancellationToken);
                return order.Kind == LookupKind.Found
                    && order.Order!.Status == DistributorOrderStatus.Issued
                    && await ApplyOrderAsync(work, order.Order, now, cancellationToken);
            default:
                ReconcilerLog.RefundUnknownOrder(_logger, purchase.PurchaseId, distributor.Id, purchase.OrderId!);
                return false;
        }
    }

    /// <summary>Records what the distributor says the order is.</summary>
    private async Task<bool> ApplyOrderAsync(PurchaseCheck work, DistributorOrder order, DateTimeOffset now, CancellationToken cancellationToken, string? attemptOutcome = null)
    {
        var purchase = work.Purchase;
        switch (order.Status)
        {
            case DistributorOrderStatus.Issued when order.Serials is { } serials:
                if (await ApplyAsync(work, PurchaseStatus.Issued, now, cancellationToken, order, serials, attemptOutcome: attemptOutcome))
                {
                    ReconcilerLog.Issued(_logger, purchase.PurchaseId, purchase.DistributorId ?? "", order.OrderId!, serials.Count);
                    return true;
                }

                return false;
            case DistributorOrderStatus.Refunded:
                if (await ApplyAsync(work, PurchaseStatus.Refunded, now, cancellationToken, order, attemptOutcome: attemptOutcome))
                {
                    ReconcilerLog.Refunded(_logger, purchase.PurchaseId, purchase.DistributorId ?? "", order.OrderId!);
                    return true;
                }

                return false;
            case DistributorOrderStatus.Failed:
                return await BecomeRefundDueAsync(work, now, "the distributor reports the order failed", cancellationToken, order, attemptOutcome);
            case DistributorOrderStatus.Pending when IsOverdue(purchase, now):
                return await BecomeRefundDueAsync(work, now, "not delivered by the deadline", cancellationToken, order, attemptOutcome);
            case DistributorOrderStatus.Pending:
                // Still pending: keep the check the claim scheduled; write only what was learned.
                if (purchase.Status == PurchaseStatus.Pending && !purchase.Ambiguous && purchase.OrderId is not null)
                {
                    return false;
                }

                return await ApplyAsync(work, PurchaseStatus.Pending, now, cancellationToken, order, nextCheckAt: Next(purchase), attemptOutcome: attemptOutcome);
            default:
                // Validation lets no other status through; should one appear, record nothing and ask again later.
                ReconcilerLog.UnusableOrder(_logger, purchase.PurchaseId, purchase.DistributorId ?? "", $"status '{order.Status}'");
                return false;
        }
    }

    private async Task<bool> BecomeRefundDueAsync(
        PurchaseCheck work, DateTimeOffset now, string reason, CancellationToken cancellationToken, DistributorOrder? order = null, string? attemptOutcome = null)
    {
        // Due at once: the refund is requested in the same pass.
        if (await ApplyAsync(work, PurchaseStatus.RefundDue, now, cancellationToken, order, nextCheckAt: now, attemptOutcome: attemptOutcome))
        {
            ReconcilerLog.RefundDue(_logger, work.Purchase.PurchaseId, work.Purchase.DistributorId ?? "", reason);
            return true;
        }

        return false;
    }

    /// <summary>One guarded UPDATE; on success the in-memory row follows, so a next step's guard matches.</summary>
    private async Task<bool> ApplyAsync(
        PurchaseCheck work,
        string status,
        DateTimeOffset now,
        CancellationToken cancellationToken,
        DistributorOrder? order = null,
        IReadOnlyList<string>? serials = null,
        bool ambiguous = false,
        DateTimeOffset? nextCheckAt = null,
        string? orderId = null,
        string? attemptOutcome = null)
    {
        var purchase = work.Purchase;
        orderId ??= order?.OrderId;
        int? responseStatus = null;
        string? responseBody = null;
        if (purchase.Status == PurchaseStatus.InProgress && status != PurchaseStatus.Unavailable)
        {
            // The gateway that died never stored an answer; a retry with the key replays this one.
            var view = PurchaseView.Of(
                purchase.PurchaseId, status, purchase.DistributorId, orderId ?? purchase.OrderId, purchase.Quantity, order?.Amount ?? purchase.Amount, serials);
            responseStatus = status == PurchaseStatus.Issued ? StatusCodes.Status201Created : StatusCodes.Status202Accepted;
            responseBody = PurchaseAnswers.Serialize(view);
        }

        var overcharge = Overcharge.Of(purchase.DistributorId, orderId ?? purchase.OrderId, purchase.PurchaseId, purchase.Quantity, order?.Amount);
        var applied = await _ledger.ResolveAsync(
            new PurchaseResolution(
                purchase.PurchaseId,
                purchase.Status,
                purchase.UpdatedAt,
                status,
                now,
                orderId,
                order?.Amount,
                serials,
                ambiguous,
                nextCheckAt,
                responseStatus,
                responseBody,
                attemptOutcome,
                overcharge),
            cancellationToken);
        if (!applied)
        {
            work.Contended = true;
            ReconcilerLog.Contended(_logger, purchase.PurchaseId, purchase.Status);
            return false;
        }

        if (overcharge is not null)
        {
            ReconcilerLog.Overcharged(_logger, purchase.PurchaseId, overcharge.DistributorId, overcharge.OrderId, overcharge.AmountCharged, overcharge.AmountDue);
        }

        purchase.Status = status;
        purchase.UpdatedAt = now.ToUnixTimeMilliseconds();
        purchase.OrderId = orderId ?? purchase.OrderId;
        purchase.Ambiguous = ambiguous;
        purchase.NextCheckAt = nextCheckAt?.ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>The shared look-up (validated by <see cref="OrderValidation"/>) under the call timeout; an answer that does not fit the purchase is Unknown.</summary>
    private async Task<LookupResult> LookUpAsync(PurchaseCheck work, DistributorEntry distributor, bool byKey, CancellationToken cancellationToken)
    {
        var purchase = work.Purchase;
        work.Called = true;
        var found = await _lookup.LookUpAsync(distributor, new OrderQuery(purchase.PurchaseId, purchase.Quantity, purchase.OrderId, byKey), _call, cancellationToken);
        if (found.Failure is { } failure)
        {
            work.CallFailed = true;
            ReconcilerLog.CallFailed(_logger, purchase.PurchaseId, distributor.Id, byKey ? "look-up by key" : "look-up by order id", failure.GetType().Name, failure.Message);
        }
        else if (found.Problem is { } problem)
        {
            ReconcilerLog.UnusableOrder(_logger, purchase.PurchaseId, distributor.Id, problem);
        }
        else if (found.Kind == LookupKind.NotFound && !byKey && purchase.OrderId is { } orderId)
        {
            // The distributor gave this id when it took the money: not knowing it now is its fault, not proof of no charge.
            ReconcilerLog.OrderIdUnknown(_logger, purchase.PurchaseId, distributor.Id, orderId);
        }

        return found;
    }

    /// <summary>The delivery deadline runs from the current try's claim: a retried key starts afresh.</summary>
    private bool IsOverdue(OpenPurchase purchase, DateTimeOffset now) =>
        now >= DateTimeOffset.FromUnixTimeMilliseconds(purchase.TryStartedAt != 0 ? purchase.TryStartedAt : purchase.CreatedAt) + _options.DeliveryDeadline;

    private static DateTimeOffset? Next(OpenPurchase purchase) =>
        purchase.NextCheckAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;

    private static bool IsCallFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or TimeoutRejectedException or JsonException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
