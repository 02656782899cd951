using System.Data.Common;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.LoadBalancing;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// One purchase, top to bottom: claim the Idempotency-Key; wait for a turn; choose a distributor;
/// send; classify the answer; record it; answer the applicant. Refusals fail over within the same
/// request; an ambiguous answer is looked up at the same distributor, never retried elsewhere.
/// </summary>
/// <remarks>
/// YARP keeps the distributors' cluster: its destinations, their health (active from probes, passive
/// from <see cref="FailureRatePolicy"/>), the available-destinations policy and the HTTP client. This
/// class calls them explicitly, once per attempt (docs/architecture.md, "One purchase").
/// </remarks>
internal sealed class PurchaseOrchestrator(
    PurchaseLedger ledger, AnswerRecorder answers, OrderLookup lookup, IOrderSender sender,
    DistributorRouting routing, DistributorFleet fleet, LeastLoadedOfTwoPolicy balancer, FailureRatePolicy health,
    AdmissionControl admission, WaitingLine line, KeysBeingClaimed claiming, PurchaseReplies replies,
    IOptions<PurchasingOptions> options, GatewayMetrics metrics, TimeProvider time, ILogger<PurchaseOrchestrator> logger)
{
    /// <summary>POST /api/purchases: answers, then counts the answer in the purchase metrics.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        PurchaseAnswer answer;
        try
        {
            answer = await HandleAsync(context);
            if (!await replies.PacedAsync(answer, context.RequestAborted))
            {
                return;
            }

            await answer.Result.ExecuteAsync(context);
        }
        catch
        {
            metrics.PurchaseAnswered(null, PurchaseOutcomes.Failed, time.GetElapsedTime(started));
            throw;
        }

        replies.Count(answer, context.Response.StatusCode, time.GetElapsedTime(started));
    }

    /// <summary>Validates and claims the key; a claimed purchase goes on to <see cref="SellAsync"/>.</summary>
    internal async Task<PurchaseAnswer> HandleAsync(HttpContext context)
    {
        var (request, errors) = await PurchaseRequest.ReadAsync(context.Request, context.RequestAborted);
        if (request is null)
        {
            return new(PurchaseAnswers.Invalid(errors!));
        }

        // A request with this key is being decided here: once its claim is written this one is a retry, not a newcomer.
        using var turn = claiming.Enter(request.IdempotencyKey);
        await turn.WaitForDecisionAsync(context.RequestAborted);

        // A key in line whose turn has not come is answered from memory, before any ledger read (its
        // place, a new Retry-After); its turn come, it goes ahead of every key that arrived after it.
        routing.TryGetCluster(out var cluster);
        var available = DistributorRoom.Available(cluster);
        var place = line.Find(request.IdempotencyKey);
        AdmissionResult? refusal = null;
        using var returning = place is null ? null : admission.TryEnter(DistributorRoom.SendRoom(fleet, available), out refusal, place.Ticket);
        if (place is not null && returning is null)
        {
            return replies.RefusedByQueue(context, request.IdempotencyKey, refusal!, DistributorRoom.NoteDemand(fleet, available));
        }

        // Under a surge most newcomers cannot be taken: refuse them before a ledger write, unless their key
        // may be known (read first: a retry deserves its stored answer, which needs no writer).
        StoredKey? stored = null;
        if (ledger.MayHoldKey(request.IdempotencyKey))
        {
            try
            {
                stored = await ledger.FindKeyAsync(request.IdempotencyKey, request.Hash, context.RequestAborted);
            }
            catch (DbException ex)
            {
                return replies.LedgerUnavailable(context, ex);
            }

            if (stored?.Final is { } final)
            {
                return PurchaseReplies.Decided(context, final);
            }
        }

        // A key the ledger holds (in progress, or free again) goes on to its claim whatever the queue says.
        available = DistributorRoom.Available(cluster);
        using var newcomer = returning is null ? admission.TryEnter(DistributorRoom.SendRoom(fleet, available), out refusal) : null;
        var pass = returning ?? newcomer;
        if (pass is null && stored is null)
        {
            return replies.RefusedByQueue(context, request.IdempotencyKey, refusal!, DistributorRoom.NoteDemand(fleet, available));
        }

        var now = time.GetUtcNow();
        var purchase = new NewPurchase(PurchaseView.NewId(now), request.IdempotencyKey, request.Hash, request.Quantity, request.ApplicantRef, now);

        // A new key with a distributor free and nobody waiting: the claim and the first attempt are one
        // write, for a slot taken first where the load balancer picks; otherwise the claim alone.
        var first = stored is null && pass is not null && !admission.HasWaiters
            ? DistributorRoom.TakeSlot(fleet, admission, balancer.PickDestination(context, cluster!, available)) : null;
        ClaimResult claim;
        var recorded = 0;
        try
        {
            (claim, recorded) = first is null
                ? (await ledger.ClaimAsync(purchase, context.RequestAborted), 0)
                : await ledger.ClaimWithAttemptAsync(purchase, first.Distributor.Id, context.RequestAborted);
        }
        catch (DbException ex)
        {
            first?.Dispose();
            return replies.LedgerUnavailable(context, ex);
        }
        catch (OperationCanceledException)
        {
            first?.Dispose();
            throw;
        }

        // Written, and known to the key filter: later requests with this key need not wait.
        turn.Leave();
        if (claim.Kind != ClaimKind.Claimed || recorded == 0)
        {
            // Not this request's claim, or a claim without its attempt: the slot taken for it goes back.
            first?.Dispose();
            first = null;
        }

        return claim.Kind == ClaimKind.Claimed
            ? await SellAsync(context, cluster, request, claim.Try, claim.PreviousAttempts, pass, first)
            : PurchaseReplies.Decided(context, claim);
    }

    /// <param name="lease">The slot this purchase holds, whose attempt was written with the claim; null when none was.</param>
    private async Task<PurchaseAnswer> SellAsync(
        HttpContext context, ClusterState? cluster, PurchaseRequest request, PurchaseTry purchaseTry, int previousAttempts, AdmissionPass? pass, SlotLease? lease)
    {
        var purchaseId = purchaseTry.PurchaseId;
        var settings = options.Value;
        var started = time.GetTimestamp();

        // An order in flight is the applicant's money: it is finished even when they hang up, so the ledger
        // records what really happened. Only the wait for a turn, when nothing was sent, ends when they leave.
        var applicantGone = context.RequestAborted;
        var preRecorded = lease is null ? 0 : previousAttempts + 1;
        var key = request.IdempotencyKey;
        DateTimeOffset? firstArrival = null;
        var number = previousAttempts;
        var sent = 0;
        var races = 0;
        HashSet<string>? refused = null;
        AdmissionResult? rejection = null;
        DistributorState? recordedAt = null;
        int? lastStatus = null;

        // First come, first served: while purchases wait for a slot, a newcomer waits behind them (as a waiter now, not at the door).
        var mustQueue = lease is null && admission.HasWaiters;
        pass?.Dispose();
        try
        {
            while (sent < settings.MaxAttempts && time.GetElapsedTime(started) < settings.TotalBudget)
            {
                // Wait for a turn: in the admission queue until a slot is free or handed over.
                if (mustQueue)
                {
                    mustQueue = false;
                    DistributorRoom.NoteDemand(fleet, DistributorRoom.Available(cluster));
                    try
                    {
                        rejection = await admission.WaitForTurnAsync(key, applicantGone, () => DistributorRoom.HasRoom(fleet, DistributorRoom.Available(cluster)));
                    }
                    catch (OperationCanceledException) when (applicantGone.IsCancellationRequested)
                    {
                        await answers.ReleaseAsync(purchaseTry);
                        return new(PurchaseAnswers.Unavailable(context, 1, "You left before a distributor was free."));
                    }

                    if (!rejection.IsAdmitted)
                    {
                        break;
                    }

                    lease = rejection.Slot;
                    rejection = null;
                }

                // Choose a distributor: the slot held, if its distributor is still routable and has not
                // refused this purchase; otherwise the load balancer's pick among those not tried yet.
                var available = DistributorRoom.Available(cluster);
                var destination = lease is null ? null : DistributorRoom.Find(available, lease.Distributor.Id, refused);
                if (destination is null)
                {
                    lease?.Dispose();
                    lease = null;
                }

                if (lease is null && preRecorded > 0)
                {
                    // The attempt written with the claim will not be made: closed, so no later one can pass for it.
                    (number, preRecorded) = (preRecorded, 0);
                    if (!await answers.CloseUnsentAsync(purchaseTry, number))
                    {
                        return await replies.CurrentAnswerAsync(context, purchaseId, null);
                    }
                }

                if (lease is null)
                {
                    var candidates = DistributorRoom.Untried(available, refused);
                    if (candidates.Count == 0)
                    {
                        break;
                    }

                    // All that can sell are at their limits, or the pick filled up in a race: wait for a slot, never go over a limit.
                    destination = balancer.PickDestination(context, cluster!, candidates);
                    lease = DistributorRoom.TakeSlot(fleet, admission, destination);
                    if (lease is null)
                    {
                        mustQueue = destination is null || ++races >= 3;
                        continue;
                    }
                }

                races = 0;
                var distributor = lease.Distributor;

                // Its turn came: the key leaves the line, on every gateway.
                firstArrival ??= line.Served(key);

                // Record where the order goes before it leaves (maybe with the claim); not cancellable: money may go there.
                number++;
                if (preRecorded != number && !await ledger.StartAttemptAsync(purchaseTry, number, distributor.Id, time.GetUtcNow(), CancellationToken.None))
                {
                    PurchaseLog.Fenced(logger, purchaseId, "attempt record");
                    return await replies.CurrentAnswerAsync(context, purchaseId, null);
                }

                preRecorded = 0;
                recordedAt = distributor;

                // Recorded while the distributor may be full: the order goes the moment one ahead finishes; no turn in time: try another.
                if (!await lease.TakeTurnAsync(DistributorRoom.ReadyWait(distributor, admission), time))
                {
                    lease.Withdraw();
                    lease = null;
                    recordedAt = null;
                    (refused ??= new(StringComparer.Ordinal)).Add(distributor.Id);
                    PurchaseLog.Withdrawn(logger, purchaseId, distributor.Id);
                    if (!await answers.CloseUnsentAsync(purchaseTry, number))
                    {
                        return await replies.CurrentAnswerAsync(context, purchaseId, null);
                    }

                    continue;
                }

                // Send, classify the answer, and feed it to the distributor's signals before its slot goes on.
                sent++;
                var (result, outcome, order) = await SendAsync(cluster!, destination!, lease, purchaseId, request);
                lease = null;
                lastStatus = result.Status;
                metrics.AttemptAnswered(distributor.Id, AttemptClassifier.LedgerName(outcome));
                var attempt = new Attempt(purchaseTry, number, distributor, result.Status, firstArrival);
                switch (outcome)
                {
                    case AttemptOutcome.Issued:
                        return await FinishAsync(context, attempt, request, PurchaseStatus.Issued, order, outcome, ambiguous: false);
                    case AttemptOutcome.Pending:
                        return await FinishAsync(context, attempt, request, PurchaseStatus.Pending, order, outcome, ambiguous: false);
                    case AttemptOutcome.Ambiguous:
                        return await ResolveAmbiguousAsync(context, attempt, request, result.Failure);
                }

                // Refused, nothing charged: record it and fail over.
                if (outcome == AttemptOutcome.SoldOut)
                {
                    routing.ReportSoldOut(distributor);
                }

                (refused ??= new(StringComparer.Ordinal)).Add(distributor.Id);
                PurchaseLog.Refused(logger, purchaseId, distributor.Id, result.Status, outcome);
                if (!await ledger.FinishAttemptAsync(purchaseTry, number, AttemptClassifier.LedgerName(outcome), result.Status, time.GetUtcNow(), CancellationToken.None))
                {
                    PurchaseLog.Fenced(logger, purchaseId, "refused attempt");
                    return await replies.CurrentAnswerAsync(context, purchaseId, null);
                }

                recordedAt = null;
            }
        }
        catch (DbException ex)
        {
            // Every write that can throw here comes before a charge or after a refusal (FinishAsync never throws).
            await answers.ReleaseAsync(purchaseTry);
            return replies.LedgerUnavailable(context, ex);
        }
        catch (Exception ex)
        {
            await answers.SafeguardAsync(purchaseTry, number, recordedAt?.Id, lastStatus, request.Quantity, ex);
            throw;
        }
        finally
        {
            // A slot this purchase will not use goes on to the next waiter, never lost.
            lease?.Dispose();
        }

        await answers.ReleaseAsync(purchaseTry);
        return rejection is { } refusedByQueue
            ? replies.QueueGaveUp(context, key, purchaseId, refusedByQueue, DistributorRoom.NoteDemand(fleet, DistributorRoom.Available(cluster)))
            : replies.NobodyCouldSell(context, purchaseId, sent);
    }

    /// <summary>
    /// Sends the order under its slot and classifies the answer, then tells passive health, the queue's
    /// wait estimate and the distributor's limit what came back (with demand when others waited for its
    /// room: in the queue, or ready behind this order), before the slot goes on (to the next waiter after a sale).
    /// </summary>
    private async Task<(AttemptResult Result, AttemptOutcome Outcome, DistributorOrder? Order)> SendAsync(
        ClusterState cluster, DestinationState destination, SlotLease lease, string purchaseId, PurchaseRequest request)
    {
        var distributor = lease.Distributor;
        var inFlight = distributor.InFlight;
        var demand = admission.HasWaiters || distributor.Taken > inFlight;
        var (result, outcome, order) = (default(AttemptResult), AttemptOutcome.Ambiguous, default(DistributorOrder));
        try
        {
            result = await sender.SendAsync(distributor.Entry, purchaseId, request.CanonicalBody);
            (outcome, order) = AttemptClassifier.Classify(result, purchaseId, request.Quantity);
            health.Record(cluster, destination, result, inFlight, ambiguous: outcome == AttemptOutcome.Ambiguous);
            distributor.RecordOrderAnswer(sold: outcome is AttemptOutcome.Issued or AttemptOutcome.Pending, refused: AttemptClassifier.TurnsOrdersAway(result.Status, outcome));
            admission.RecordServiceTime(time.GetElapsedTime(result.StartedAt, result.EndedAt));
            distributor.RecordCapacity(CapacitySignals.Sample(
                result.Status, result.Failure == AttemptFailure.AnswerUnreadable, result.Failure == AttemptFailure.TimedOut, inFlight,
                time, result.SentAt, result.AnsweredAt, demand));
        }
        finally
        {
            lease.Finish(sold: outcome is AttemptOutcome.Issued or AttemptOutcome.Pending);
        }

        return (result, outcome, order);
    }

    /// <summary>An order may exist at this distributor: ask it, never another one.</summary>
    private async Task<PurchaseAnswer> ResolveAmbiguousAsync(HttpContext context, Attempt attempt, PurchaseRequest request, AttemptFailure failure)
    {
        var distributor = attempt.Distributor!;
        var found = await lookup.FindByKeyAsync(distributor.Entry, attempt.Try.PurchaseId, request.Quantity, CancellationToken.None);

        // Not found yet is not "never charged": pending here until known or past the delivery deadline (reconciliation).
        var order = found.Usable;
        var status = order is null ? PurchaseStatus.Pending : PurchaseStatus.FromOrder(order.Status);
        PurchaseLog.Ambiguous(logger, attempt.Try.PurchaseId, distributor.Id, attempt.Status, failure, found.Kind, status);
        return await FinishAsync(context, attempt, request, status, order, AttemptOutcome.Ambiguous, ambiguous: order is null);
    }

    /// <summary>Records the distributor's answer (retrying passing ledger errors), then answers the applicant with it.</summary>
    private async Task<PurchaseAnswer> FinishAsync(
        HttpContext context, Attempt attempt, PurchaseRequest request, string status, DistributorOrder? order, AttemptOutcome outcome, bool ambiguous)
    {
        var purchaseId = attempt.Try.PurchaseId;
        var seller = attempt.Distributor!.Id;
        var view = PurchaseView.Of(purchaseId, status, seller, order?.OrderId, request.Quantity, order?.Amount, order?.Serials);
        PurchaseLog.Amount(logger, view);
        var httpStatus = status == PurchaseStatus.Issued ? StatusCodes.Status201Created : StatusCodes.Status202Accepted;
        var body = PurchaseAnswers.Serialize(view);
        var completion = new PurchaseCompletion(
            attempt.Try, view, attempt.Number, AttemptClassifier.LedgerName(outcome), attempt.Status, ambiguous, httpStatus, body, time.GetUtcNow());
        if (await answers.RecordAsync(completion) == Recording.Fenced)
        {
            PurchaseLog.Fenced(logger, purchaseId, "answer");
            return await replies.CurrentAnswerAsync(context, purchaseId, seller);
        }

        // Recorded, or Failed (in_progress with its attempt: reconciliation adopts it): the applicant hears the distributor.
        return new(PurchaseAnswers.Stored(context, httpStatus, body, purchaseId), seller, FirstArrival: attempt.FirstArrival);
    }

    /// <summary>One attempt, as the ledger knows it: its try, its number, where it was sent (null: nowhere yet) and the status that came back.</summary>
    private readonly record struct Attempt(PurchaseTry Try, int Number, DistributorState? Distributor, int? Status, DateTimeOffset? FirstArrival);
}
