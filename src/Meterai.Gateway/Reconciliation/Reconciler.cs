using System.Data.Common;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Resilience;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using Polly;

namespace Meterai.Gateway.Reconciliation;

/// <summary>
/// Follows up every purchase that is not final until it is: pending ones are looked up at their
/// distributor until issued, or become <c>refund_due</c> when the distributor reports the order
/// failed or the delivery deadline passes; a refund is requested until the distributor confirms
/// it; rows a dead gateway left <c>in_progress</c> are looked up by key and adopted or released.
/// </summary>
/// <remarks>
/// <para>
/// A pass reads the due purchases (<c>next_check_at</c> passed), oldest first, at most
/// <see cref="ReconciliationOptions.BatchSize"/>. Each check is first claimed in the ledger (count
/// it, move its next check along the backoff), then the distributor is called, then the outcome is
/// written as one UPDATE guarded by the status that was read. So two passes, in one gateway or in
/// several sharing the ledger, never both act on one purchase, and a gateway that dies mid-check
/// leaves the purchase due again after its backoff.
/// </para>
/// <para>
/// Purchases are worked per distributor, at most <see cref="ReconciliationOptions.MaxParallelismPerDistributor"/>
/// calls to one distributor and <see cref="ReconciliationOptions.MaxParallelism"/> in all, each call
/// cut off by a Polly timeout: a slow or dead distributor occupies only its own share, and after
/// a few failed calls in a row the rest of its purchases wait for their next check uncalled.
/// </para>
/// </remarks>
public sealed partial class Reconciler
{
    /// <summary>Attempt outcome written for an attempt a dead gateway left open: its answer was lost.</summary>
    private const string LostAnswerOutcome = "ambiguous";

    private readonly PurchaseLedger _ledger;
    private readonly DistributorFleet _fleet;
    private readonly DistributorClient _client;
    private readonly ReconciliationOptions _options;
    private readonly TimeSpan _requestLifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<Reconciler> _logger;
    private readonly ResiliencePipeline _call;

    public Reconciler(
        PurchaseLedger ledger,
        DistributorFleet fleet,
        DistributorClient client,
        IOptions<ReconciliationOptions> options,
        IOptions<PurchasingOptions> purchasing,
        TimeProvider time,
        ILogger<Reconciler> logger,
        ResiliencePipelines? pipelines = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(purchasing);
        _ledger = ledger;
        _fleet = fleet;
        _client = client;
        _options = options.Value;
        _requestLifetime = ReconciliationOptions.RequestLifetime(purchasing.Value);
        _time = time;
        _logger = logger;

        _call = pipelines?.Get(ResiliencePipelines.Reconciliation)
            ?? ConfigureCalls(new ResiliencePipelineBuilder { TimeProvider = time }, _options).Build();
    }

    /// <summary>The shape of the reconciliation pipeline (registered in <c>AddReconciliation</c>).</summary>
    internal static ResiliencePipelineBuilder ConfigureCalls(ResiliencePipelineBuilder builder, ReconciliationOptions options) =>
        // No retry here: the backoff schedule across passes is the retry.
        builder.AddTimeout(options.CallTimeout);

    /// <summary>One reconciliation pass over the purchases due now.</summary>
    /// <exception cref="DbException">The ledger could not be read; nothing was changed.</exception>
    public async Task<ReconciliationPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var due = await _ledger.FindDueAsync(now, now - _requestLifetime, _options.BatchSize, cancellationToken);
        var tally = new Tally();
        if (due.Count > 0)
        {
            using var slots = new SemaphoreSlim(_options.MaxParallelism);
            await Task.WhenAll(due
                .GroupBy(p => p.DistributorId ?? "", StringComparer.Ordinal)
                .Select(group => ReconcileDistributorAsync(group.Key, group.ToList(), slots, tally, cancellationToken)));
        }

        var pass = tally.ToPass(due.Count);
        if (pass.Examined > 0)
        {
            LogPass(_logger, pass.Examined, pass.Issued, pass.RefundsDue, pass.Refunded, pass.NothingCharged, pass.StillOpen, pass.Contended, pass.Errors);
        }

        return pass;
    }

    private async Task ReconcileDistributorAsync(string distributorId, List<OpenPurchase> purchases, SemaphoreSlim slots, Tally tally, CancellationToken cancellationToken)
    {
        DistributorEntry? distributor = null;
        if (distributorId.Length > 0)
        {
            if (_fleet.TryGet(distributorId, out var state))
            {
                distributor = state.Entry;
            }
            else
            {
                LogUnknownDistributor(_logger, distributorId, purchases.Count);
            }
        }

        var failedInARow = new StrongBox<int>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelismPerDistributor, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(purchases, parallel, async (purchase, token) =>
        {
            await slots.WaitAsync(token);
            try
            {
                var giveUp = (distributorId.Length > 0 && distributor is null)
                    || Volatile.Read(ref failedInARow.Value) >= _options.FailuresBeforeSkippingDistributor;
                var result = giveUp ? await DeferAsync(purchase, token) : await ReconcileAsync(purchase, distributor, token);
                if (result.CallFailed)
                {
                    if (Interlocked.Increment(ref failedInARow.Value) == _options.FailuresBeforeSkippingDistributor)
                    {
                        LogSkippingDistributor(_logger, distributorId, _options.FailuresBeforeSkippingDistributor);
                    }
                }
                else if (result.Called)
                {
                    Volatile.Write(ref failedInARow.Value, 0);
                }

                tally.Add(result.Outcome);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException && !token.IsCancellationRequested)
            {
                // The claim moved its next check, or nothing was written: either way it comes back.
                LogPurchaseFailed(_logger, ex, purchase.PurchaseId);
                tally.Add(Outcome.Error);
            }
            finally
            {
                slots.Release();
            }
        });
    }

    /// <summary>Counts a check without calling the distributor (unknown, or failing this pass) and moves the next one along.</summary>
    private async Task<Result> DeferAsync(OpenPurchase purchase, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var claimed = await _ledger.ClaimCheckAsync(purchase, now + _options.BackoffAfter(purchase.Checks + 1), cancellationToken);
        return new Result(claimed ? Outcome.StillOpen : Outcome.Contended);
    }

    private async Task<Result> ReconcileAsync(OpenPurchase purchase, DistributorEntry? distributor, CancellationToken cancellationToken)
    {
        var work = new Work(purchase);

        // No attempt was ever written, so no request left: nothing can have been charged.
        if (purchase.Status == PurchaseStatus.InProgress && purchase.DistributorId is null)
        {
            var released = await ApplyAsync(work, PurchaseStatus.Unavailable, _time.GetUtcNow(), cancellationToken);
            if (released)
            {
                LogNothingCharged(_logger, purchase.PurchaseId, "no attempt was started");
            }

            return work.Finish(released ? Outcome.NothingCharged : Outcome.Contended);
        }

        // At most: adopt or follow up, then request the refund that decided.
        for (var step = 0; step < 3 && distributor is not null; step++)
        {
            var now = _time.GetUtcNow();
            var nextCheckAt = now + _options.BackoffAfter(work.Purchase.Checks + 1);
            if (!await _ledger.ClaimCheckAsync(work.Purchase, nextCheckAt, cancellationToken))
            {
                return work.Finish(step == 0 ? Outcome.Contended : OutcomeOf(work.Purchase.Status));
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

        return work.Finish(work.Contended ? Outcome.Contended : OutcomeOf(work.Purchase.Status));
    }

    /// <summary>An in_progress row whose gateway died after sending an attempt: what happened at the distributor?</summary>
    private async Task<bool> AdoptAsync(Work work, DistributorEntry distributor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purchase = work.Purchase;
        var found = await LookUpAsync(work, distributor, byKey: true, cancellationToken);
        switch (found.Kind)
        {
            case LookupKind.NotFound:
                // Distributor spec: 404 by key means no order exists and nothing was charged.
                if (await ApplyAsync(work, PurchaseStatus.Unavailable, now, cancellationToken, attemptOutcome: LostAnswerOutcome))
                {
                    LogNothingCharged(_logger, purchase.PurchaseId, "its gateway stopped mid-request and the distributor has no order for its key");
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
    private async Task<bool> FollowUpAsync(Work work, DistributorEntry distributor, DateTimeOffset now, CancellationToken cancellationToken)
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
            // distributor spec says nothing was charged. Before the deadline a 404 is not trusted,
            // because a slow distributor may still be working through the request.
            if (await ApplyAsync(work, PurchaseStatus.Unavailable, now, cancellationToken))
            {
                LogNothingCharged(_logger, purchase.PurchaseId, "its answer was ambiguous and the distributor has no order for its key past the delivery deadline");
                return true;
            }

            return false;
        }

        if (purchase.OrderId is null)
        {
            // Whether anything was charged is still unknown, and a refund needs an order: keep asking.
            LogOverdueUnknown(_logger, purchase.PurchaseId, distributor.Id);
            return false;
        }

        // Charged (the distributor gave an order id) and not delivered by the deadline.
        return await BecomeRefundDueAsync(work, now, "not delivered by the deadline", cancellationToken);
    }

    /// <summary>A refund is owed: ask for it until the distributor confirms.</summary>
    private async Task<bool> RefundAsync(Work work, DistributorEntry distributor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purchase = work.Purchase;
        if (purchase.OrderId is null)
        {
            // A refund needs the order id; learn it by key first.
            var found = await LookUpAsync(work, distributor, byKey: true, cancellationToken);
            switch (found.Kind)
            {
                case LookupKind.NotFound:
                    if (await ApplyAsync(work, PurchaseStatus.Unavailable, now, cancellationToken))
                    {
                        LogNothingCharged(_logger, purchase.PurchaseId, "a refund was due but the distributor has no order for its key");
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
            LogCallFailed(_logger, purchase.PurchaseId, distributor.Id, "refund", ex.GetType().Name, ex.Message);
            return false;
        }

        switch (answer)
        {
            case RefundAnswer.Refunded:
                if (await ApplyAsync(work, PurchaseStatus.Refunded, now, cancellationToken, orderId: purchase.OrderId))
                {
                    LogRefunded(_logger, purchase.PurchaseId, distributor.Id, purchase.OrderId!);
                    return true;
                }

                return false;
            case RefundAnswer.AlreadyIssued:
                // 409: the order is issued after all; the serials were delivered late, after the
                // deadline or after a look-up saw it failed or pending. A delivered e-Meterai is not
                // refunded (distributor spec), so the applicant is owed the serials, not the money:
                // read them and record the purchase issued. If that read fails, the next check asks
                // for the refund again, gets 409 again and reads again.
                LogRefundRefusedIssued(_logger, purchase.PurchaseId, distributor.Id, purchase.OrderId!);
                var order = await LookUpAsync(work, distributor, byKey: false, cancellationToken);
                return order.Kind == LookupKind.Found
                    && order.Order!.Status == DistributorOrderStatus.Issued
                    && await ApplyOrderAsync(work, order.Order, now, cancellationToken);
            default:
                LogRefundUnknownOrder(_logger, purchase.PurchaseId, distributor.Id, purchase.OrderId!);
                return false;
        }
    }

    /// <summary>Records what the distributor says the order is.</summary>
    private async Task<bool> ApplyOrderAsync(Work work, DistributorOrder order, DateTimeOffset now, CancellationToken cancellationToken, string? attemptOutcome = null)
    {
        var purchase = work.Purchase;
        switch (order.Status)
        {
            case DistributorOrderStatus.Issued when order.Serials is { Count: > 0 } serials:
                if (await ApplyAsync(work, PurchaseStatus.Issued, now, cancellationToken, order, serials, attemptOutcome: attemptOutcome))
                {
                    LogIssued(_logger, purchase.PurchaseId, purchase.DistributorId ?? "", order.OrderId!, serials.Count);
                    return true;
                }

                return false;
            case DistributorOrderStatus.Refunded:
                if (await ApplyAsync(work, PurchaseStatus.Refunded, now, cancellationToken, order, attemptOutcome: attemptOutcome))
                {
                    LogRefunded(_logger, purchase.PurchaseId, purchase.DistributorId ?? "", order.OrderId!);
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
                // Issued without serials, or a status the spec does not have: nothing to record; ask again later.
                LogUnusableOrder(_logger, purchase.PurchaseId, purchase.DistributorId ?? "", order.Status ?? "(none)", order.Serials?.Count ?? 0);
                return false;
        }
    }

    private async Task<bool> BecomeRefundDueAsync(
        Work work, DateTimeOffset now, string reason, CancellationToken cancellationToken, DistributorOrder? order = null, string? attemptOutcome = null)
    {
        // Due at once: the refund is requested in the same pass.
        if (await ApplyAsync(work, PurchaseStatus.RefundDue, now, cancellationToken, order, nextCheckAt: now, attemptOutcome: attemptOutcome))
        {
            LogRefundDue(_logger, work.Purchase.PurchaseId, work.Purchase.DistributorId ?? "", reason);
            return true;
        }

        return false;
    }

    /// <summary>One guarded UPDATE; on success the in-memory row follows, so a next step's guard matches.</summary>
    private async Task<bool> ApplyAsync(
        Work work,
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
            var view = new PurchaseView(
                purchase.PurchaseId, status, purchase.DistributorId, orderId ?? purchase.OrderId, purchase.Quantity, order?.Amount ?? purchase.Amount, serials ?? []);
            responseStatus = status == PurchaseStatus.Issued ? StatusCodes.Status201Created : StatusCodes.Status202Accepted;
            responseBody = PurchaseAnswers.Serialize(view);
        }

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
                attemptOutcome),
            cancellationToken);
        if (!applied)
        {
            work.Contended = true;
            LogContended(_logger, purchase.PurchaseId, purchase.Status);
            return false;
        }

        purchase.Status = status;
        purchase.UpdatedAt = now.ToUnixTimeMilliseconds();
        purchase.OrderId = orderId ?? purchase.OrderId;
        purchase.Ambiguous = ambiguous;
        purchase.NextCheckAt = nextCheckAt?.ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>GET /orders/{id} or GET /orders?idempotencyKey=, under the call timeout; an answer that does not fit the purchase is Unknown.</summary>
    private async Task<LookupResult> LookUpAsync(Work work, DistributorEntry distributor, bool byKey, CancellationToken cancellationToken)
    {
        var purchase = work.Purchase;
        DistributorOrder? order;
        try
        {
            work.Called = true;
            order = await _call.ExecuteAsync(
                static async (state, token) => state.ByKey
                    ? await state.Client.FindOrderByKeyAsync(state.Distributor, state.Purchase.PurchaseId, token)
                    : await state.Client.GetOrderAsync(state.Distributor, state.Purchase.OrderId!, token),
                (Client: _client, Distributor: distributor, Purchase: purchase, ByKey: byKey),
                cancellationToken);
        }
        catch (Exception ex) when (IsCallFailure(ex, cancellationToken))
        {
            work.CallFailed = true;
            LogCallFailed(_logger, purchase.PurchaseId, distributor.Id, byKey ? "look-up by key" : "look-up by order id", ex.GetType().Name, ex.Message);
            return LookupResult.Unknown;
        }

        if (order is null)
        {
            if (!byKey)
            {
                // The distributor gave this id when it took the money: not knowing it now is its fault, not proof of no charge.
                LogOrderIdUnknown(_logger, purchase.PurchaseId, distributor.Id, purchase.OrderId!);
            }

            return LookupResult.NotFound;
        }

        // The purchase id is the distributor's Idempotency-Key, so an order for another key, or
        // another order than the one recorded, is not this purchase's.
        if (string.IsNullOrEmpty(order.OrderId)
            || (order.IdempotencyKey is { } key && !string.Equals(key, purchase.PurchaseId, StringComparison.Ordinal))
            || (purchase.OrderId is { } known && !string.Equals(known, order.OrderId, StringComparison.Ordinal)))
        {
            LogUnusableOrder(_logger, purchase.PurchaseId, distributor.Id, order.Status ?? "(none)", order.Serials?.Count ?? 0);
            return LookupResult.Unknown;
        }

        return new LookupResult(LookupKind.Found, order);
    }

    private bool IsOverdue(OpenPurchase purchase, DateTimeOffset now) =>
        now >= DateTimeOffset.FromUnixTimeMilliseconds(purchase.CreatedAt) + _options.DeliveryDeadline;

    private static DateTimeOffset? Next(OpenPurchase purchase) =>
        purchase.NextCheckAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;

    private static bool IsCallFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or TimeoutRejectedException or JsonException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static Outcome OutcomeOf(string status) => status switch
    {
        PurchaseStatus.Issued => Outcome.Issued,
        PurchaseStatus.RefundDue => Outcome.RefundDue,
        PurchaseStatus.Refunded => Outcome.Refunded,
        PurchaseStatus.Unavailable => Outcome.NothingCharged,
        _ => Outcome.StillOpen,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation pass: {Examined} examined, {Issued} issued, {RefundsDue} refund due, {Refunded} refunded, {NothingCharged} not charged, {StillOpen} still open, {Contended} taken by another pass, {Errors} errors")]
    private static partial void LogPass(ILogger logger, int examined, int issued, int refundsDue, int refunded, int nothingCharged, int stillOpen, int contended, int errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: issued by {DistributorId} as order {OrderId} with {SerialCount} serials")]
    private static partial void LogIssued(ILogger logger, string purchaseId, string distributorId, string orderId, int serialCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: refund due from {DistributorId}: {Reason}")]
    private static partial void LogRefundDue(ILogger logger, string purchaseId, string distributorId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: refunded by {DistributorId} (order {OrderId})")]
    private static partial void LogRefunded(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} refused the refund of order {OrderId} because it is issued; recording it issued")]
    private static partial void LogRefundRefusedIssued(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} does not know order {OrderId} it was asked to refund; asking again later")]
    private static partial void LogRefundUnknownOrder(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} does not know order {OrderId} it gave the gateway; asking again later")]
    private static partial void LogOrderIdUnknown(ILogger logger, string purchaseId, string distributorId, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase {PurchaseId}: nothing was charged ({Reason}); it is unavailable and its key may be used again")]
    private static partial void LogNothingCharged(ILogger logger, string purchaseId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: past the delivery deadline and {DistributorId} still cannot say whether an order exists; asking again later")]
    private static partial void LogOverdueUnknown(ILogger logger, string purchaseId, string distributorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {Call} at {DistributorId} failed ({Failure}: {Detail}); asking again later")]
    private static partial void LogCallFailed(ILogger logger, string purchaseId, string distributorId, string call, string failure, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase {PurchaseId}: {DistributorId} answered an order that cannot be used (status {OrderStatus}, {SerialCount} serials, or another key or id); asking again later")]
    private static partial void LogUnusableOrder(ILogger logger, string purchaseId, string distributorId, string orderStatus, int serialCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purchase {PurchaseId}: changed by another pass while {Status}; leaving it to that pass")]
    private static partial void LogContended(ILogger logger, string purchaseId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Distributor {DistributorId} is not in the registry; its {Count} open purchases cannot be reconciled until it is")]
    private static partial void LogUnknownDistributor(ILogger logger, string distributorId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} failed {Failures} reconciliation calls in a row; its other purchases wait for their next check")]
    private static partial void LogSkippingDistributor(ILogger logger, string distributorId, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purchase {PurchaseId}: reconciliation could not write the ledger; it is checked again later")]
    private static partial void LogPurchaseFailed(ILogger logger, Exception exception, string purchaseId);

    private enum Outcome
    {
        Issued,
        RefundDue,
        Refunded,
        NothingCharged,
        StillOpen,
        Contended,
        Error,
    }

    private readonly record struct Result(Outcome Outcome, bool Called = false, bool CallFailed = false);

    /// <summary>One purchase being reconciled: its row as last written, and what happened on the way.</summary>
    private sealed class Work(OpenPurchase purchase)
    {
        public OpenPurchase Purchase { get; } = purchase;

        public bool Called { get; set; }

        public bool CallFailed { get; set; }

        public bool Contended { get; set; }

        public Result Finish(Outcome outcome) => new(outcome, Called, CallFailed);
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }

    private sealed class Tally
    {
        private readonly int[] _counts = new int[Enum.GetValues<Outcome>().Length];

        public void Add(Outcome outcome) => Interlocked.Increment(ref _counts[(int)outcome]);

        public ReconciliationPass ToPass(int examined) => new(
            examined,
            _counts[(int)Outcome.Issued],
            _counts[(int)Outcome.RefundDue],
            _counts[(int)Outcome.Refunded],
            _counts[(int)Outcome.NothingCharged],
            _counts[(int)Outcome.StillOpen],
            _counts[(int)Outcome.Contended],
            _counts[(int)Outcome.Error]);
    }
}

/// <summary>What one reconciliation pass did, purchase by purchase, by the state each was left in.</summary>
/// <param name="Examined">Due purchases read.</param>
/// <param name="Issued">Now issued, serials recorded.</param>
/// <param name="RefundsDue">Now refund_due, the refund not yet confirmed.</param>
/// <param name="Refunded">Refund confirmed by the distributor.</param>
/// <param name="NothingCharged">Found never charged; now unavailable, the key free again.</param>
/// <param name="StillOpen">Checked, still open; due again after its backoff.</param>
/// <param name="Contended">Changed by another pass or gateway first; left to it.</param>
/// <param name="Errors">Failed on the ledger; due again after its backoff.</param>
public sealed record ReconciliationPass(int Examined, int Issued, int RefundsDue, int Refunded, int NothingCharged, int StillOpen, int Contended, int Errors);
