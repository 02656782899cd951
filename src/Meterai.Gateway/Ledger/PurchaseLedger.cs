using System.Text.Json;
using Dapper;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Ledger;

/// <summary>The purchase ledger: the one place that reads and writes <c>purchases</c> and <c>purchase_attempts</c>.</summary>
/// <remarks>
/// Idempotency rests on the database's unique key, not on an in-process lock, so it holds when
/// several gateways share one ledger.
/// </remarks>
public sealed class PurchaseLedger(LedgerDatabase database)
{
    private const string SelectRecord = """
        SELECT purchase_id AS PurchaseId, idempotency_key AS IdempotencyKey, request_hash AS RequestHash,
               quantity AS Quantity, status AS Status, distributor_id AS DistributorId, order_id AS OrderId,
               amount AS Amount, serials AS Serials, ambiguous AS Ambiguous, attempts AS Attempts,
               response_status AS ResponseStatus, response_body AS ResponseBody,
               created_at AS CreatedAt, updated_at AS UpdatedAt
        FROM purchases
        """;

    /// <summary>Writes the purchase before anything else happens, or says why the key is taken.</summary>
    public async Task<ClaimResult> ClaimAsync(NewPurchase purchase, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO purchases (purchase_id, idempotency_key, request_hash, quantity, applicant_ref, status, created_at, updated_at)
            VALUES (@PurchaseId, @IdempotencyKey, @RequestHash, @Quantity, @ApplicantRef, 'in_progress', @At, @At)
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            new { purchase.PurchaseId, purchase.IdempotencyKey, purchase.RequestHash, purchase.Quantity, purchase.ApplicantRef, At = purchase.At.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        if (inserted == 1)
        {
            return ClaimResult.Claimed(purchase.PurchaseId);
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
                    // Nothing was charged last time, so the applicant's retry with the same key is a new try.
                    var reclaimed = await connection.ExecuteAsync(new CommandDefinition(
                        "UPDATE purchases SET status = 'in_progress', updated_at = @At WHERE purchase_id = @PurchaseId AND status = 'unavailable'",
                        new { existing.PurchaseId, At = purchase.At.ToUnixTimeMilliseconds() },
                        cancellationToken: cancellationToken));
                    if (reclaimed == 1)
                    {
                        return ClaimResult.Claimed(existing.PurchaseId, existing.Attempts);
                    }

                    continue;
                default:
                    return ClaimResult.Replay(existing.ResponseStatus ?? StatusCodes.Status202Accepted, existing.ResponseBody ?? "{}", existing.PurchaseId);
            }
        }

        return ClaimResult.InProgress;
    }

    /// <summary>Records where the purchase is about to be sent, before the request leaves.</summary>
    public async Task StartAttemptAsync(string purchaseId, int attempt, string distributorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO purchase_attempts (purchase_id, attempt, distributor_id, started_at) VALUES (@purchaseId, @attempt, @distributorId, @at);
            UPDATE purchases SET distributor_id = @distributorId, attempts = @attempt, updated_at = @at WHERE purchase_id = @purchaseId;
            """,
            new { purchaseId, attempt, distributorId, at = at.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Closes an attempt that was refused without a charge.</summary>
    public async Task FinishAttemptAsync(string purchaseId, int attempt, string outcome, int? httpStatus, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE purchase_attempts SET finished_at = @at, outcome = @outcome, http_status = @httpStatus WHERE purchase_id = @purchaseId AND attempt = @attempt",
            new { purchaseId, attempt, outcome, httpStatus, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Records the answer the applicant gets, with the attempt that produced it, atomically.</summary>
    public async Task CompleteAsync(PurchaseCompletion completion, CancellationToken cancellationToken)
    {
        var view = completion.View;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE purchases
            SET status = @Status, distributor_id = @DistributorId, order_id = @OrderId, amount = @Amount, serials = @Serials,
                ambiguous = @Ambiguous, response_status = @ResponseStatus, response_body = @ResponseBody, updated_at = @At,
                issued_at = CASE WHEN @Status = 'issued' THEN @At END,
                refund_due_at = CASE WHEN @Status = 'refund_due' THEN @At END,
                next_check_at = CASE WHEN @Status IN ('pending', 'refund_due') THEN @At END
            WHERE purchase_id = @PurchaseId;
            UPDATE purchase_attempts SET finished_at = @At, outcome = @Outcome, http_status = @HttpStatus
            WHERE purchase_id = @PurchaseId AND attempt = @Attempt;
            """,
            new
            {
                view.PurchaseId,
                view.Status,
                view.DistributorId,
                view.OrderId,
                view.Amount,
                Serials = view.Serials.Count == 0 ? null : JsonSerializer.Serialize(view.Serials, GatewayJsonContext.Default.IReadOnlyListString),
                Ambiguous = completion.Ambiguous ? 1 : 0,
                completion.ResponseStatus,
                completion.ResponseBody,
                At = completion.At.ToUnixTimeMilliseconds(),
                completion.Outcome,
                completion.HttpStatus,
                completion.Attempt,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>No distributor could take the purchase; nothing was charged, so the key may be used again.</summary>
    public async Task ReleaseAsync(string purchaseId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE purchases SET status = 'unavailable', updated_at = @at WHERE purchase_id = @purchaseId",
            new { purchaseId, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
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

public sealed record NewPurchase(string PurchaseId, string IdempotencyKey, string RequestHash, int Quantity, string ApplicantRef, DateTimeOffset At);

public sealed record PurchaseCompletion(
    PurchaseView View,
    int Attempt,
    string Outcome,
    int? HttpStatus,
    bool Ambiguous,
    int ResponseStatus,
    string ResponseBody,
    DateTimeOffset At);

/// <summary>What claiming an Idempotency-Key found.</summary>
public sealed record ClaimResult(ClaimKind Kind, string? PurchaseId = null, int PreviousAttempts = 0, int ReplayStatus = 0, string? ReplayBody = null)
{
    public static readonly ClaimResult InProgress = new(ClaimKind.InProgress);
    public static readonly ClaimResult KeyReusedWithOtherBody = new(ClaimKind.KeyReusedWithOtherBody);

    public static ClaimResult Claimed(string purchaseId, int previousAttempts = 0) => new(ClaimKind.Claimed, purchaseId, previousAttempts);

    public static ClaimResult Replay(int status, string body, string purchaseId) => new(ClaimKind.Replay, purchaseId, ReplayStatus: status, ReplayBody: body);
}

public enum ClaimKind
{
    Claimed,
    Replay,
    InProgress,
    KeyReusedWithOtherBody,
}
