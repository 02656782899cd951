using System.Text.Json;
using Dapper;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Ledger;

/// <summary>The purchase ledger: the one place that reads and writes <c>purchases</c> and <c>purchase_attempts</c>.</summary>
/// <remarks>
/// Idempotency rests on the database's unique key, not on an in-process lock, so it holds when
/// several gateways share one ledger. Every write after the claim is fenced by the
/// <see cref="PurchaseTry"/> it belongs to: a write that finds the row taken over (by
/// reconciliation, or by a retry on another gateway) changes nothing and returns false.
/// </remarks>
internal sealed class PurchaseLedger(LedgerDatabase database)
{
    private const string SelectRecord = """
        SELECT purchase_id AS PurchaseId, idempotency_key AS IdempotencyKey, request_hash AS RequestHash,
               quantity AS Quantity, status AS Status, distributor_id AS DistributorId, order_id AS OrderId,
               amount AS Amount, serials AS Serials, ambiguous AS Ambiguous, attempts AS Attempts,
               response_status AS ResponseStatus, response_body AS ResponseBody,
               created_at AS CreatedAt, updated_at AS UpdatedAt, try_started_at AS TryStartedAt
        FROM purchases
        """;

    private static readonly LedgerStatement Claim = LedgerStatement.Load("claim", "PurchaseId", "IdempotencyKey", "RequestHash", "Quantity", "ApplicantRef", "At");
    private static readonly LedgerStatement ClaimWithFirstAttempt = LedgerStatement.Load(
        "claim-with-first-attempt", "PurchaseId", "IdempotencyKey", "RequestHash", "Quantity", "ApplicantRef", "DistributorId", "At");
    private static readonly LedgerStatement Reclaim = LedgerStatement.Load("reclaim", "PurchaseId", "UpdatedAt", "At");
    private static readonly LedgerStatement StartAttempt = LedgerStatement.Load("start-attempt", "PurchaseId", "StartedAt", "Attempt", "DistributorId", "At");
    private static readonly LedgerStatement InsertAttempt = LedgerStatement.Load("insert-attempt", "PurchaseId", "Attempt", "DistributorId", "At");
    private static readonly LedgerStatement FinishAttempt = LedgerStatement.Load("finish-attempt", "PurchaseId", "StartedAt", "Attempt", "Outcome", "HttpStatus", "At");
    private static readonly LedgerStatement Complete = LedgerStatement.Load(
        "complete", "PurchaseId", "StartedAt", "Status", "DistributorId", "OrderId", "Amount", "Serials", "Ambiguous", "ResponseStatus", "ResponseBody", "At");
    private static readonly LedgerStatement CloseAttempt = LedgerStatement.Load("close-attempt", "PurchaseId", "Attempt", "Outcome", "HttpStatus", "At");
    private static readonly LedgerStatement Release = LedgerStatement.Load("release", "PurchaseId", "StartedAt", "At");

    /// <summary>Writes the purchase before anything else happens, or says why the key is taken.</summary>
    /// <remarks>Durable when it returns: its group transaction has committed.</remarks>
    public async Task<ClaimResult> ClaimAsync(NewPurchase purchase, CancellationToken cancellationToken)
    {
        var claim = await database.Writer.WriteAsync(session => ClaimAsync(session, purchase), cancellationToken);
        database.KnownKeys.Add(purchase.IdempotencyKey);
        return claim;
    }

    /// <summary>False only when the ledger certainly does not hold the key: then no read is needed to know a request is new.</summary>
    public bool MayHoldKey(string idempotencyKey) => database.KnownKeys.MightContain(idempotencyKey);

    private static async ValueTask<ClaimResult> ClaimAsync(WriteSession session, NewPurchase purchase)
    {
        if (await session.ExecuteAsync(Claim, purchase.PurchaseId, purchase.IdempotencyKey, purchase.RequestHash, purchase.Quantity, purchase.ApplicantRef, purchase.At.ToUnixTimeMilliseconds()) == 1)
        {
            return ClaimResult.Claimed(purchase.Try);
        }

        return await ClaimTakenKeyAsync(session, purchase);
    }

    /// <summary>The key exists: replay it, refuse it, or claim it again when its last try ended unavailable.</summary>
    private static async ValueTask<ClaimResult> ClaimTakenKeyAsync(WriteSession session, NewPurchase purchase)
    {
        var at = purchase.At.ToUnixTimeMilliseconds();

        // Bounded, because each pass either decides or lost a race that decides the next.
        for (var pass = 0; pass < 3; pass++)
        {
            var existing = await session.Connection.QuerySingleOrDefaultAsync<PurchaseRecord>(new CommandDefinition(
                SelectRecord + " WHERE idempotency_key = @IdempotencyKey", new { purchase.IdempotencyKey }, session.Transaction));
            if (existing is null)
            {
                break;
            }

            if (Decide(existing, purchase.RequestHash) is { } decided)
            {
                return decided;
            }

            // Unavailable: nothing was charged last time, so the retry is a fresh try.
            if (await session.ExecuteAsync(Reclaim, existing.PurchaseId, existing.UpdatedAt, at) == 1)
            {
                return ClaimResult.Claimed(new PurchaseTry(existing.PurchaseId, at), existing.Attempts);
            }
        }

        return ClaimResult.InProgress;
    }

    /// <summary>What an existing row means for a request with its key; null when the key may be claimed again (unavailable).</summary>
    private static ClaimResult? Decide(PurchaseRecord existing, string requestHash)
    {
        if (!string.Equals(existing.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return ClaimResult.KeyReusedWithOtherBody;
        }

        return existing.Status switch
        {
            PurchaseStatus.InProgress => ClaimResult.InProgress,
            PurchaseStatus.Unavailable => null,
            _ => ClaimResult.Replay(existing.ResponseStatus ?? StatusCodes.Status202Accepted, existing.ResponseBody ?? "{}", existing.PurchaseId),
        };
    }

    /// <summary>
    /// What the ledger holds for a key, from a read connection, without the writer: null when the
    /// key is unknown; <see cref="StoredKey.Final"/> set when the request is answered from the
    /// ledger alone (a stored answer to replay, or a key reused with another body).
    /// </summary>
    public async Task<StoredKey?> FindKeyAsync(string idempotencyKey, string requestHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var existing = await connection.QuerySingleOrDefaultAsync<PurchaseRecord>(new CommandDefinition(
            SelectRecord + " WHERE idempotency_key = @idempotencyKey", new { idempotencyKey }, cancellationToken: cancellationToken));
        return existing is null
            ? null
            : new StoredKey(Decide(existing, requestHash) is { Kind: ClaimKind.Replay or ClaimKind.KeyReusedWithOtherBody } final ? final : null);
    }

    /// <summary>
    /// Records where the purchase is about to be sent, before the request leaves. False when the
    /// try was taken over: then nothing was written and the order must not be sent.
    /// </summary>
    public Task<bool> StartAttemptAsync(PurchaseTry purchaseTry, int attempt, string distributorId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(session => StartAttemptAsync(session, purchaseTry, attempt, distributorId, at), cancellationToken);

    /// <summary>
    /// The claim and, when it is this request's, the first attempt of its try at
    /// <paramref name="distributorId"/>, in one write: one commit fewer on the way to the order.
    /// </summary>
    /// <returns>The claim, and the number of the attempt recorded with it (0 when it was not claimed).</returns>
    public async Task<(ClaimResult Claim, int Attempt)> ClaimWithAttemptAsync(NewPurchase purchase, string distributorId, CancellationToken cancellationToken)
    {
        var claimed = await database.Writer.WriteAsync(
            async session =>
            {
                // A new key, the common case: one insert places the claim and its first attempt.
                var at = purchase.At.ToUnixTimeMilliseconds();
                if (await session.ExecuteAsync(
                        ClaimWithFirstAttempt, purchase.PurchaseId, purchase.IdempotencyKey, purchase.RequestHash, purchase.Quantity, purchase.ApplicantRef, distributorId, at) == 1)
                {
                    await session.ExecuteAsync(InsertAttempt, purchase.PurchaseId, 1, distributorId, at);
                    return (ClaimResult.Claimed(purchase.Try), 1);
                }

                var claim = await ClaimTakenKeyAsync(session, purchase);
                if (claim.Kind != ClaimKind.Claimed)
                {
                    return (claim, 0);
                }

                // Claimed in this very transaction, so the try is still this request's.
                var attempt = claim.PreviousAttempts + 1;
                await StartAttemptAsync(session, claim.Try, attempt, distributorId, purchase.At);
                return (claim, attempt);
            },
            cancellationToken);
        database.KnownKeys.Add(purchase.IdempotencyKey);
        return claimed;
    }

    private static async ValueTask<bool> StartAttemptAsync(WriteSession session, PurchaseTry purchaseTry, int attempt, string distributorId, DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        if (await session.ExecuteAsync(StartAttempt, purchaseTry.PurchaseId, purchaseTry.StartedAt, attempt, distributorId, ms) == 0)
        {
            return false;
        }

        await session.ExecuteAsync(InsertAttempt, purchaseTry.PurchaseId, attempt, distributorId, ms);
        return true;
    }

    /// <summary>Closes an attempt that was refused without a charge; false (nothing written) when the try was taken over.</summary>
    /// <remarks>Answered once committed: the next attempt's record, which is durable, flushes it first.</remarks>
    public Task<bool> FinishAttemptAsync(PurchaseTry purchaseTry, int attempt, string outcome, int? httpStatus, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(
            async session => await session.ExecuteAsync(
                FinishAttempt, purchaseTry.PurchaseId, purchaseTry.StartedAt, attempt, outcome, httpStatus, at.ToUnixTimeMilliseconds()) == 1,
            cancellationToken,
            WriteDurability.Committed);

    /// <summary>
    /// Records the answer the applicant gets, with the attempt that produced it, atomically. False
    /// when the try was taken over (or already answered): then nothing was written.
    /// </summary>
    /// <remarks>
    /// Answered once committed, so the applicant does not wait for the disk a second time; the flush
    /// that follows puts it on disk. Should a power loss take it first, the row is left in_progress
    /// with its attempt sent, and reconciliation asks the distributor and records the answer.
    /// </remarks>
    public Task<bool> CompleteAsync(PurchaseCompletion completion, CancellationToken cancellationToken)
    {
        var view = completion.View;
        var at = completion.At.ToUnixTimeMilliseconds();
        var serials = view.Serials.Count == 0 ? null : JsonSerializer.Serialize(view.Serials, KernelJsonContext.Default.IReadOnlyListString);
        return database.Writer.WriteAsync(
            async session =>
            {
                if (await session.ExecuteAsync(
                        Complete,
                        view.PurchaseId,
                        completion.Try.StartedAt,
                        view.Status,
                        view.DistributorId,
                        view.OrderId,
                        view.Amount,
                        serials,
                        completion.Ambiguous ? 1 : 0,
                        completion.ResponseStatus,
                        completion.ResponseBody,
                        at) == 0)
                {
                    return false;
                }

                await session.ExecuteAsync(CloseAttempt, view.PurchaseId, completion.Attempt, completion.Outcome, completion.HttpStatus, at);
                if (Overcharge.Of(view.DistributorId, view.OrderId, view.PurchaseId, view.Quantity, view.Amount) is { } overcharge)
                {
                    await session.ExecuteAsync(Overcharge.Record, overcharge.Values(at));
                }

                return true;
            },
            cancellationToken,
            WriteDurability.Committed);
    }

    /// <summary>No distributor could take the purchase; nothing was charged, so the key may be used again. False when the try was taken over.</summary>
    /// <remarks>Answered once committed, as <see cref="CompleteAsync"/>; a release a power loss takes leaves the try for reconciliation.</remarks>
    public Task<bool> ReleaseAsync(PurchaseTry purchaseTry, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(
            async session => await session.ExecuteAsync(Release, purchaseTry.PurchaseId, purchaseTry.StartedAt, at.ToUnixTimeMilliseconds()) == 1,
            cancellationToken,
            WriteDurability.Committed);

    public async Task<PurchaseRecord?> FindAsync(string purchaseId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PurchaseRecord>(new CommandDefinition(
            SelectRecord + " WHERE purchase_id = @purchaseId",
            new { purchaseId },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken)) == 1;
    }
}

/// <summary>A key the ledger holds; <paramref name="Final"/> is its answer when no claim is needed to give it.</summary>
internal sealed record StoredKey(ClaimResult? Final);

internal sealed record NewPurchase(string PurchaseId, string IdempotencyKey, string RequestHash, int Quantity, string ApplicantRef, DateTimeOffset At)
{
    /// <summary>The try a first claim of this purchase starts.</summary>
    public PurchaseTry Try => new(PurchaseId, At.ToUnixTimeMilliseconds());
}

/// <summary>One try of a purchase: its claim, identified by the claim's timestamp (epoch ms), which fences the try's writes.</summary>
internal readonly record struct PurchaseTry(string PurchaseId, long StartedAt);

internal sealed record PurchaseCompletion(
    PurchaseTry Try,
    PurchaseView View,
    int Attempt,
    string Outcome,
    int? HttpStatus,
    bool Ambiguous,
    int ResponseStatus,
    string ResponseBody,
    DateTimeOffset At);

/// <summary>What claiming an Idempotency-Key found.</summary>
internal sealed record ClaimResult(ClaimKind Kind, string? PurchaseId = null, int PreviousAttempts = 0, int ReplayStatus = 0, string? ReplayBody = null, long TryStartedAt = 0)
{
    public static readonly ClaimResult InProgress = new(ClaimKind.InProgress);
    public static readonly ClaimResult KeyReusedWithOtherBody = new(ClaimKind.KeyReusedWithOtherBody);

    /// <summary>The try this claim started; meaningful only when <see cref="Kind"/> is <see cref="ClaimKind.Claimed"/>.</summary>
    public PurchaseTry Try => new(PurchaseId ?? "", TryStartedAt);

    public static ClaimResult Claimed(PurchaseTry purchaseTry, int previousAttempts = 0) =>
        new(ClaimKind.Claimed, purchaseTry.PurchaseId, previousAttempts, TryStartedAt: purchaseTry.StartedAt);

    public static ClaimResult Replay(int status, string body, string purchaseId) => new(ClaimKind.Replay, purchaseId, ReplayStatus: status, ReplayBody: body);
}

internal enum ClaimKind
{
    Claimed,
    Replay,
    InProgress,
    KeyReusedWithOtherBody,
}
