using System.Text.Json;
using Dapper;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Ledger;

/// <summary>The purchase ledger: the one place that reads and writes <c>purchases</c> and <c>purchase_attempts</c>.</summary>
/// <remarks>
/// Idempotency rests on the database's unique key, not on an in-process lock, so it holds when
/// several gateways share one ledger. Every write after the claim is fenced by the
/// <see cref="PurchaseTry"/> it belongs to: a write that finds the row taken over (by
/// reconciliation, or by a retry on another gateway) changes nothing and returns false.
/// </remarks>
public sealed class PurchaseLedger(LedgerDatabase database)
{
    private const string SelectRecord = """
        SELECT purchase_id AS PurchaseId, idempotency_key AS IdempotencyKey, request_hash AS RequestHash,
               quantity AS Quantity, status AS Status, distributor_id AS DistributorId, order_id AS OrderId,
               amount AS Amount, serials AS Serials, ambiguous AS Ambiguous, attempts AS Attempts,
               response_status AS ResponseStatus, response_body AS ResponseBody,
               created_at AS CreatedAt, updated_at AS UpdatedAt, try_started_at AS TryStartedAt
        FROM purchases
        """;

    /// <summary>The guard of every live-path write: the row is still the in_progress try this request claimed.</summary>
    private const string Fence = " AND status = 'in_progress' AND try_started_at = @StartedAt";

    /// <summary>Writes the purchase before anything else happens, or says why the key is taken.</summary>
    public async Task<ClaimResult> ClaimAsync(NewPurchase purchase, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO purchases (purchase_id, idempotency_key, request_hash, quantity, applicant_ref, status, created_at, updated_at, try_started_at)
            VALUES (@PurchaseId, @IdempotencyKey, @RequestHash, @Quantity, @ApplicantRef, 'in_progress', @At, @At, @At)
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            new { purchase.PurchaseId, purchase.IdempotencyKey, purchase.RequestHash, purchase.Quantity, purchase.ApplicantRef, At = purchase.At.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        if (inserted == 1)
        {
            return ClaimResult.Claimed(new PurchaseTry(purchase.PurchaseId, purchase.At.ToUnixTimeMilliseconds()));
        }

        // The key exists. Bounded, because each pass either decides or lost a race that decides the next.
        for (var pass = 0; pass < 3; pass++)
        {
            var existing = await connection.QuerySingleOrDefaultAsync<PurchaseRecord>(new CommandDefinition(
                SelectRecord + " WHERE idempotency_key = @IdempotencyKey",
                new { purchase.IdempotencyKey },
                cancellationToken: cancellationToken));
            if (existing is null)
            {
                break;
            }

            if (!string.Equals(existing.RequestHash, purchase.RequestHash, StringComparison.Ordinal))
            {
                return ClaimResult.KeyReusedWithOtherBody;
            }

            switch (existing.Status)
            {
                case PurchaseStatus.InProgress:
                    return ClaimResult.InProgress;
                case PurchaseStatus.Unavailable:
                    // Nothing was charged last time, so the applicant's retry with the same key is a new
                    // try: its deadline, backoff, distributor and answer start afresh, and nothing of
                    // the old try can be replayed. Only the attempt numbering carries on (its rows stay).
                    var reclaimed = await connection.ExecuteAsync(new CommandDefinition(
                        """
                        UPDATE purchases
                        SET status = 'in_progress', updated_at = @At, try_started_at = @At, checks = 0, next_check_at = NULL,
                            distributor_id = NULL, order_id = NULL, amount = NULL, serials = NULL, ambiguous = 0,
                            response_status = NULL, response_body = NULL, refund_due_at = NULL
                        WHERE purchase_id = @PurchaseId AND status = 'unavailable' AND updated_at = @UpdatedAt
                        """,
                        new { existing.PurchaseId, existing.UpdatedAt, At = purchase.At.ToUnixTimeMilliseconds() },
                        cancellationToken: cancellationToken));
                    if (reclaimed == 1)
                    {
                        return ClaimResult.Claimed(new PurchaseTry(existing.PurchaseId, purchase.At.ToUnixTimeMilliseconds()), existing.Attempts);
                    }

                    continue;
                default:
                    return ClaimResult.Replay(existing.ResponseStatus ?? StatusCodes.Status202Accepted, existing.ResponseBody ?? "{}", existing.PurchaseId);
            }
        }

        return ClaimResult.InProgress;
    }

    /// <summary>Whether a purchase with this key exists; a read, so it never waits for the writer.</summary>
    public async Task<bool> KeyExistsAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM purchases WHERE idempotency_key = @idempotencyKey", new { idempotencyKey }, cancellationToken: cancellationToken)) is not null;
    }

    /// <summary>
    /// Records where the purchase is about to be sent, before the request leaves. False when the
    /// try was taken over: then nothing was written and the order must not be sent.
    /// </summary>
    public async Task<bool> StartAttemptAsync(PurchaseTry purchaseTry, int attempt, string distributorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { purchaseTry.PurchaseId, purchaseTry.StartedAt, attempt, distributorId, at = at.ToUnixTimeMilliseconds() };
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE purchases SET distributor_id = @distributorId, attempts = @attempt, updated_at = @at WHERE purchase_id = @PurchaseId" + Fence,
            parameters,
            transaction,
            cancellationToken: cancellationToken));
        if (updated == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO purchase_attempts (purchase_id, attempt, distributor_id, started_at) VALUES (@PurchaseId, @attempt, @distributorId, @at)",
            parameters,
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Closes an attempt that was refused without a charge; false (nothing written) when the try was taken over.</summary>
    public async Task<bool> FinishAttemptAsync(PurchaseTry purchaseTry, int attempt, string outcome, int? httpStatus, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE purchase_attempts SET finished_at = @at, outcome = @outcome, http_status = @httpStatus
            WHERE purchase_id = @PurchaseId AND attempt = @attempt
              AND EXISTS (SELECT 1 FROM purchases WHERE purchase_id = @PurchaseId
            """ + Fence + ")",
            new { purchaseTry.PurchaseId, purchaseTry.StartedAt, attempt, outcome, httpStatus, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Records the answer the applicant gets, with the attempt that produced it, atomically. False
    /// when the try was taken over (or already answered): then nothing was written.
    /// </summary>
    public async Task<bool> CompleteAsync(PurchaseCompletion completion, CancellationToken cancellationToken)
    {
        var view = completion.View;
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE purchases
            SET status = @Status, distributor_id = @DistributorId, order_id = @OrderId, amount = @Amount, serials = @Serials,
                ambiguous = @Ambiguous, response_status = @ResponseStatus, response_body = @ResponseBody, updated_at = @At,
                issued_at = CASE WHEN @Status = 'issued' THEN @At END,
                refund_due_at = CASE WHEN @Status = 'refund_due' THEN @At END,
                next_check_at = CASE WHEN @Status IN ('pending', 'refund_due') THEN @At END
            WHERE purchase_id = @PurchaseId
            """ + Fence,
            new
            {
                view.PurchaseId,
                completion.Try.StartedAt,
                view.Status,
                view.DistributorId,
                view.OrderId,
                view.Amount,
                Serials = view.Serials.Count == 0 ? null : JsonSerializer.Serialize(view.Serials, GatewayJsonContext.Default.IReadOnlyListString),
                Ambiguous = completion.Ambiguous ? 1 : 0,
                completion.ResponseStatus,
                completion.ResponseBody,
                At = completion.At.ToUnixTimeMilliseconds(),
            },
            transaction,
            cancellationToken: cancellationToken));
        if (updated == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE purchase_attempts SET finished_at = @At, outcome = @Outcome, http_status = @HttpStatus WHERE purchase_id = @PurchaseId AND attempt = @Attempt",
            new { view.PurchaseId, At = completion.At.ToUnixTimeMilliseconds(), completion.Outcome, completion.HttpStatus, completion.Attempt },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>No distributor could take the purchase; nothing was charged, so the key may be used again. False when the try was taken over.</summary>
    public async Task<bool> ReleaseAsync(PurchaseTry purchaseTry, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE purchases SET status = 'unavailable', updated_at = @at WHERE purchase_id = @PurchaseId" + Fence,
            new { purchaseTry.PurchaseId, purchaseTry.StartedAt, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) == 1;
    }

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

public sealed record NewPurchase(string PurchaseId, string IdempotencyKey, string RequestHash, int Quantity, string ApplicantRef, DateTimeOffset At)
{
    /// <summary>The try a first claim of this purchase starts.</summary>
    public PurchaseTry Try => new(PurchaseId, At.ToUnixTimeMilliseconds());
}

/// <summary>One try of a purchase: its claim, identified by the claim's timestamp (epoch ms), which fences the try's writes.</summary>
public readonly record struct PurchaseTry(string PurchaseId, long StartedAt);

public sealed record PurchaseCompletion(
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
public sealed record ClaimResult(ClaimKind Kind, string? PurchaseId = null, int PreviousAttempts = 0, int ReplayStatus = 0, string? ReplayBody = null, long TryStartedAt = 0)
{
    public static readonly ClaimResult InProgress = new(ClaimKind.InProgress);
    public static readonly ClaimResult KeyReusedWithOtherBody = new(ClaimKind.KeyReusedWithOtherBody);

    /// <summary>The try this claim started; meaningful only when <see cref="Kind"/> is <see cref="ClaimKind.Claimed"/>.</summary>
    public PurchaseTry Try => new(PurchaseId ?? "", TryStartedAt);

    public static ClaimResult Claimed(PurchaseTry purchaseTry, int previousAttempts = 0) =>
        new(ClaimKind.Claimed, purchaseTry.PurchaseId, previousAttempts, TryStartedAt: purchaseTry.StartedAt);

    public static ClaimResult Replay(int status, string body, string purchaseId) => new(ClaimKind.Replay, purchaseId, ReplayStatus: status, ReplayBody: body);
}

public enum ClaimKind
{
    Claimed,
    Replay,
    InProgress,
    KeyReusedWithOtherBody,
}
