using System.Data.Common;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// The first stage of the purchase route's YARP pipeline: validates, claims the Idempotency-Key
/// in the ledger, then runs the rest of the pipeline (load balancing, attempt gate, passive
/// health, forwarder) once per distributor until one sells, refusals failing over within the
/// same request and ambiguous answers resolved by look-up, never retried elsewhere.
/// </summary>
internal sealed partial class PurchaseOrchestrator(
    RequestDelegate next,
    PurchaseLedger ledger,
    AnswerRecorder answers,
    OrderLookup lookup,
    DistributorRouting routing,
    IOptions<PurchasingOptions> options,
    IOptions<ProbingOptions> probing,
    GatewayMetrics metrics,
    Oversight.RefusalCounter refusals,
    AdmissionControl admission,
    KeysBeingClaimed claiming,
    DistributorFleet fleet,
    TimeProvider time,
    IEnumerable<ILoadBalancingPolicy> policies,
    ILogger<PurchaseOrchestrator> logger)
{
    private const string PurchaseIdPrefix = "pur_";
    /// <summary>HttpContext.Items key: this request was answered from the ledger's stored answer.</summary>
    private static readonly object Replayed = new();
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            var answer = await HandleAsync(context);
            await answer.ExecuteAsync(context);
        }
        catch
        {
            metrics.PurchaseAnswered(null, PurchaseOutcomes.Failed, time.GetElapsedTime(started));
            throw;
        }

        var status = context.Response.StatusCode;
        if (context.Items.ContainsKey(Replayed))
        {
            metrics.PurchaseReplayed(PurchaseOutcomes.FromStatusCode(status));
            return;
        }

        var seller = status is StatusCodes.Status201Created or StatusCodes.Status202Accepted
            ? context.Features.Get<PurchaseAttemptFeature>()?.Distributor?.Id
            : null;
        metrics.PurchaseAnswered(seller, PurchaseOutcomes.FromStatusCode(status), time.GetElapsedTime(started));
    }

    internal static bool IsWellFormedPurchaseId(string purchaseId) =>
        purchaseId.Length == PurchaseIdPrefix.Length + 32
        && purchaseId.StartsWith(PurchaseIdPrefix, StringComparison.Ordinal)
        && purchaseId.AsSpan(PurchaseIdPrefix.Length).IndexOfAnyExcept(LowerHex) < 0;

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        var (request, errors) = await PurchaseRequest.ReadAsync(context.Request, context.RequestAborted);
        if (request is null)
        {
            return PurchaseAnswers.Invalid(errors!);
        }

        // A request with this key is being decided here: once its claim is written this one is a
        // retry (409 or the replay), not a newcomer the queue may refuse.
        using var turn = claiming.Enter(request.IdempotencyKey);
        await turn.WaitForDecisionAsync(context.RequestAborted);

        // Under a surge most newcomers cannot be taken: refuse them before they cost a ledger write,
        // or a read, unless their key may be known, since a retry deserves its stored answer. A
        // key the ledger may hold is read first: a stored answer needs no writer.
        StoredKey? stored = null;
        if (ledger.MayHoldKey(request.IdempotencyKey))
        {
            try
            {
                stored = await ledger.FindKeyAsync(request.IdempotencyKey, request.Hash, context.RequestAborted);
            }
            catch (DbException ex)
            {
                return LedgerUnavailable(context, ex);
            }

            if (stored?.Final is { } final)
            {
                return Decided(context, final);
            }
        }

        // A key the ledger holds (in progress, or free again) goes on to its claim whatever the queue says.
        var available = context.GetReverseProxyFeature().Route.Cluster!.DestinationsState.AvailableDestinations;
        using var pass = admission.TryEnter(SendRoom(available), out var refusal);
        if (pass is null && stored is null)
        {
            return RefusedByQueue(context, refusal!);
        }

        var now = time.GetUtcNow();
        var purchase = new NewPurchase(PurchaseIdPrefix + Guid.CreateVersion7(now).ToString("N"), request.IdempotencyKey, request.Hash, request.Quantity, request.ApplicantRef, now);

        // A new key with a distributor free and nobody waiting: the claim and the first attempt are
        // one write, for the slot taken first. Otherwise the claim alone, and the attempt once a slot is.
        var first = stored is null && pass is not null && !admission.HasWaiters ? TakeFirstSlot(context, available) : null;
        ClaimResult claim;
        var recorded = 0;
        try
        {
            (claim, recorded) = first is null
                ? (await ledger.ClaimAsync(purchase, context.RequestAborted), 0)
                : await ledger.ClaimWithAttemptAsync(purchase, first.Id, context.RequestAborted);
        }
        catch (DbException ex)
        {
            GiveBackSlot(first);
            return LedgerUnavailable(context, ex);
        }
        catch (OperationCanceledException)
        {
            GiveBackSlot(first);
            throw;
        }

        // Written, and known to the key filter: later requests with this key need not wait.
        turn.Leave();
        if (claim.Kind != ClaimKind.Claimed || recorded == 0)
        {
            // Not this request's claim, or a claim without its attempt: the slot taken for it goes back.
            GiveBackSlot(first);
            first = null;
        }

        return claim.Kind == ClaimKind.Claimed
            ? await SellAsync(context, request, claim.Try, claim.PreviousAttempts, pass, first)
            : Decided(context, claim);
    }

    /// <param name="recordedAt">The distributor whose slot this purchase holds and whose attempt was written with the claim.</param>
    private async Task<IResult> SellAsync(
        HttpContext context, PurchaseRequest request, PurchaseTry purchaseTry, int previousAttempts, AdmissionPass? pass, DistributorState? recordedAt)
    {
        var purchaseId = purchaseTry.PurchaseId;
        var proxy = context.GetReverseProxyFeature();
        var cluster = proxy.Route.Cluster!;
        var attempt = new PurchaseAttemptFeature(purchaseTry, request.CanonicalBody, request.Quantity)
        {
            HandedSlot = recordedAt,
            PreRecorded = recordedAt is null ? 0 : previousAttempts + 1,
        };
        context.Features.Set(attempt);

        // YARP cancels the distributor call when the applicant hangs up. An order in flight is the
        // applicant's money: finish the conversation so the ledger records what really happened
        // instead of an ambiguity. Each attempt stays bounded by the cluster's activity timeout.
        // Only the wait in the admission queue, where nothing has been sent, still ends when they leave.
        var applicantGone = context.RequestAborted;
        context.RequestAborted = CancellationToken.None;
        var settings = options.Value;
        var started = time.GetTimestamp();
        HashSet<string>? refused = null;
        var number = previousAttempts;
        var sent = 0;
        var races = 0;
        AdmissionResult? rejection = null;

        // First come, first served: while purchases wait for a slot, a newcomer waits behind them.
        // From here it counts as a waiter or holds a slot, no longer as a newcomer at the door.
        var mustQueue = recordedAt is null && admission.HasWaiters;
        pass?.Dispose();

        // The attempt written with the claim whose slot is gone unused (its distributor left rotation,
        // or had no room after all) is closed at once, so that no later attempt can pass for it.
        async Task<bool> CloseDroppedPreRecordedAsync()
        {
            if (attempt.PreRecorded == 0 || attempt.HandedSlot is not null)
            {
                return true;
            }

            number = attempt.PreRecorded;
            attempt.PreRecorded = 0;
            return await CloseUnsentAsync(attempt, number);
        }

        try
        {
            while (sent < settings.MaxAttempts && time.GetElapsedTime(started) < settings.TotalBudget)
            {
                if (mustQueue)
                {
                    mustQueue = false;
                    GiveBackHandedSlot(attempt);
                    try
                    {
                        rejection = await admission.WaitForSlotAsync(applicantGone, () => HasRoom(cluster.DestinationsState.AvailableDestinations));
                    }
                    catch (OperationCanceledException) when (applicantGone.IsCancellationRequested)
                    {
                        await answers.ReleaseAsync(purchaseTry);
                        return PurchaseAnswers.Unavailable(context, 1, "You left before a distributor was free.");
                    }

                    if (!rejection.IsAdmitted)
                    {
                        break;
                    }

                    attempt.HandedSlot = rejection.Slot as DistributorState;
                    rejection = null;
                }

                var candidates = Candidates(cluster.DestinationsState.AvailableDestinations, refused, attempt);
                if (!await CloseDroppedPreRecordedAsync())
                {
                    return await CurrentAnswerAsync(context, purchaseId);
                }

                if (candidates.Count == 0)
                {
                    break;
                }

                attempt.Begin(number + 1);
                proxy.AvailableDestinations = candidates;
                proxy.ProxiedDestination = null;
                context.Features.Set<IForwarderErrorFeature>(null);
                await next(context);
                if (attempt.Distributor is not null)
                {
                    attempt.PreRecorded = 0;
                }
                else if (attempt.PreRecorded > 0)
                {
                    GiveBackHandedSlot(attempt);
                }

                if (!await CloseDroppedPreRecordedAsync())
                {
                    return await CurrentAnswerAsync(context, purchaseId);
                }

                var error = context.Features.Get<IForwarderErrorFeature>();

                // The forwarder set the distributor's status on our response; the applicant gets the gateway's answer.
                context.Response.Clear();
                if (attempt.Fenced)
                {
                    LogFenced(logger, purchaseId, "attempt record");
                    return await CurrentAnswerAsync(context, purchaseId);
                }

                if (attempt.Distributor is not { } distributor)
                {
                    // Every distributor that can sell is at its limit, or the one picked filled up in a
                    // race: wait in the queue for a slot rather than send it anywhere over its limit.
                    mustQueue = attempt.NoRoom || ++races >= 3;
                    continue;
                }

                races = 0;
                number = attempt.Number;
                if (attempt.Withdrawn)
                {
                    (refused ??= new(StringComparer.Ordinal)).Add(distributor.Id);
                    LogWithdrawn(logger, purchaseId, distributor.Id);
                    if (!await CloseUnsentAsync(attempt, number))
                    {
                        return await CurrentAnswerAsync(context, purchaseId);
                    }

                    continue;
                }

                sent++;
                var (outcome, order) = AttemptClassifier.Classify(attempt, error);
                metrics.AttemptAnswered(distributor.Id, AttemptClassifier.LedgerName(outcome));
                switch (outcome)
                {
                    case AttemptOutcome.Issued:
                        return await FinishAsync(context, attempt, request, PurchaseStatus.Issued, order, outcome, ambiguous: false);
                    case AttemptOutcome.Pending:
                        return await FinishAsync(context, attempt, request, PurchaseStatus.Pending, order, outcome, ambiguous: false);
                    case AttemptOutcome.Ambiguous:
                        return await ResolveAmbiguousAsync(context, attempt, request, error);
                    default:
                        if (outcome == AttemptOutcome.SoldOut)
                        {
                            routing.ReportSoldOut(distributor);
                        }
                        else if (attempt.Status == StatusCodes.Status401Unauthorized)
                        {
                            LogCredentialsRejected(logger, distributor.Id);
                        }

                        (refused ??= new(StringComparer.Ordinal)).Add(distributor.Id);
                        LogFailover(logger, purchaseId, distributor.Id, attempt.Status ?? 0, outcome);
                        if (!await ledger.FinishAttemptAsync(purchaseTry, number, AttemptClassifier.LedgerName(outcome), attempt.Status, time.GetUtcNow(), CancellationToken.None))
                        {
                            LogFenced(logger, purchaseId, "refused attempt");
                            return await CurrentAnswerAsync(context, purchaseId);
                        }

                        continue;
                }
            }
        }
        catch (DbException ex)
        {
            // Every write that can throw here (the attempt record, a refusal, a release) comes
            // before a charge or after a refusal; answers are recorded by FinishAsync, which never throws.
            await answers.ReleaseAsync(purchaseTry);
            return LedgerUnavailable(context, ex);
        }
        catch (Exception ex)
        {
            await SafeguardAsync(attempt, request, ex);
            throw;
        }
        finally
        {
            GiveBackHandedSlot(attempt);
        }

        await answers.ReleaseAsync(purchaseTry);
        if (rejection is { } refusedByQueue)
        {
            LogQueueRejected(logger, purchaseId, refusedByQueue.Reason, refusedByQueue.RetryAfterSeconds);
            return RefusedByQueue(context, refusedByQueue);
        }

        LogNobodyCouldSell(logger, purchaseId, sent);
        metrics.AdmissionRejected(AdmissionRejections.NoDistributor);
        refusals.Refused();
        return PurchaseAnswers.Unavailable(context, ProbeRetryAfterSeconds(), "No distributor can sell e-Meterai right now.");
    }

    /// <summary>An order may exist at this distributor: ask it, never another one.</summary>
    private async Task<IResult> ResolveAmbiguousAsync(HttpContext context, PurchaseAttemptFeature attempt, PurchaseRequest request, IForwarderErrorFeature? error)
    {
        var distributor = attempt.Distributor!;
        var found = await lookup.FindByKeyAsync(distributor.Entry, attempt.PurchaseId, request.Quantity, CancellationToken.None);

        // Not found yet is not "never charged": the purchase stays pending at this distributor
        // until its answer is known or the delivery deadline has passed (reconciliation decides).
        var order = found.Usable;
        var status = order is null ? PurchaseStatus.Pending : PurchaseStatus.FromOrder(order.Status);

        LogAmbiguous(logger, attempt.PurchaseId, distributor.Id, attempt.Status, error?.Error, found.Kind, status);
        return await FinishAsync(context, attempt, request, status, order, AttemptOutcome.Ambiguous, ambiguous: order is null);
    }

    private async Task<IResult> FinishAsync(
        HttpContext context, PurchaseAttemptFeature attempt, PurchaseRequest request, string status, DistributorOrder? order, AttemptOutcome outcome, bool ambiguous)
    {
        var view = PurchaseView.Of(attempt.PurchaseId, status, attempt.Distributor!.Id, order?.OrderId, request.Quantity, order?.Amount, order?.Serials);
        LogAmount(view);
        var httpStatus = status == PurchaseStatus.Issued ? StatusCodes.Status201Created : StatusCodes.Status202Accepted;
        var body = PurchaseAnswers.Serialize(view);
        var completion = new PurchaseCompletion(
            attempt.Try, view, attempt.Number, AttemptClassifier.LedgerName(outcome), attempt.Status, ambiguous, httpStatus, body, time.GetUtcNow());
        switch (await answers.RecordAsync(completion))
        {
            case Recording.Fenced:
                LogFenced(logger, attempt.PurchaseId, "answer");
                return await CurrentAnswerAsync(context, attempt.PurchaseId);
            case Recording.Failed:
            default:
                // Failed: the row stays in_progress with its attempt, so reconciliation adopts the
                // order by key; the applicant, who may have been charged, hears what the distributor said.
                break;
        }

        return PurchaseAnswers.Stored(context, httpStatus, body, view.PurchaseId);
    }
}
