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
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
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

    /// <summary>Whether a purchase with this key exists; a read, so it never waits for the writer.</summary>
    public async Task<bool> KeyExistsAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM purchases WHERE idempotency_key = @idempotencyKey", new { idempotencyKey }, cancellationToken: cancellationToken)) is not null;
    }

    /// <summary>Records where the purchase is about to be sent, before the request leaves.</summary>
    public async Task StartAttemptAsync(string purchaseId, int attempt, string distributorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
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
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE purchase_attempts SET finished_at = @at, outcome = @outcome, http_status = @httpStatus WHERE purchase_id = @purchaseId AND attempt = @attempt",
            new { purchaseId, attempt, outcome, httpStatus, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Records the answer the applicant gets, with the attempt that produced it, atomically.</summary>
    public async Task CompleteAsync(PurchaseCompletion completion, CancellationToken cancellationToken)
    {
        var view = completion.View;
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
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
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
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

    private const string SelectOpen = """
        SELECT purchase_id AS PurchaseId, status AS Status, distributor_id AS DistributorId, order_id AS OrderId,
               quantity AS Quantity, amount AS Amount, ambiguous AS Ambiguous, checks AS Checks,
               response_status AS ResponseStatus, created_at AS CreatedAt, updated_at AS UpdatedAt, next_check_at AS NextCheckAt
        FROM purchases
        """;

    /// <summary>
    /// Open purchases whose next reconciliation check is due, the longest-waiting first: pending and
    /// refund_due ones once <c>next_check_at</c> has passed, in_progress ones only once untouched
    /// since <paramref name="inProgressUntouchedSince"/> (their gateway died mid-request).
    /// </summary>
    /// <remarks>The first condition repeats the partial indexes' predicate, so the scan stays on open rows.</remarks>
    public async Task<IReadOnlyList<OpenPurchase>> FindDueAsync(
        DateTimeOffset now, DateTimeOffset inProgressUntouchedSince, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<OpenPurchase>(new CommandDefinition(
            SelectOpen + """
             WHERE status IN ('in_progress', 'pending', 'refund_due')
              AND (next_check_at IS NULL OR next_check_at <= @now)
              AND (status <> 'in_progress' OR updated_at <= @staleBefore)
            ORDER BY COALESCE(next_check_at, updated_at), purchase_id
            LIMIT @limit
            """,
            new { now = now.ToUnixTimeMilliseconds(), staleBefore = inProgressUntouchedSince.ToUnixTimeMilliseconds(), limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Takes one check of an open purchase: counts it and moves its next check to
    /// <paramref name="nextCheckAt"/>, before any distributor is called. False when the row changed
    /// since it was read (another pass, or another gateway, has it), and then nothing was written.
    /// </summary>
    /// <remarks>
    /// Because the next check is moved first, a gateway that dies during the call leaves the
    /// purchase due again after its backoff, not stuck; and a concurrent pass that read the same
    /// row finds <c>checks</c> changed and leaves it alone instead of calling the distributor too.
    /// </remarks>
    public async Task<bool> ClaimCheckAsync(OpenPurchase purchase, DateTimeOffset nextCheckAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purchase);
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE purchases SET checks = checks + 1, next_check_at = @next
            WHERE purchase_id = @PurchaseId AND status = @Status AND checks = @Checks AND updated_at = @UpdatedAt
            """,
            new { purchase.PurchaseId, purchase.Status, purchase.Checks, purchase.UpdatedAt, next = nextCheckAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return updated == 1;
    }

    /// <summary>
    /// Applies what reconciliation learned, as one UPDATE guarded by the status (and version) it
    /// read: of two gateways reconciling the same purchase, only one changes it. False when the
    /// guard did not match, and then nothing was written.
    /// </summary>
    public async Task<bool> ResolveAsync(PurchaseResolution resolution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var at = resolution.At.ToUnixTimeMilliseconds();
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE purchases
            SET status = @Status, order_id = COALESCE(@OrderId, order_id), amount = COALESCE(@Amount, amount),
                serials = COALESCE(@Serials, serials), ambiguous = @Ambiguous,
                issued_at = COALESCE(@IssuedAt, issued_at), refund_due_at = COALESCE(@RefundDueAt, refund_due_at),
                refunded_at = COALESCE(@RefundedAt, refunded_at), next_check_at = @NextCheckAt,
                response_status = COALESCE(response_status, @ResponseStatus), response_body = COALESCE(response_body, @ResponseBody),
                updated_at = @At
            WHERE purchase_id = @PurchaseId AND status = @ExpectedStatus AND updated_at = @ExpectedUpdatedAt
            """,
            new
            {
                resolution.PurchaseId,
                resolution.ExpectedStatus,
                resolution.ExpectedUpdatedAt,
                resolution.Status,
                resolution.OrderId,
                resolution.Amount,
                Serials = resolution.Serials is { Count: > 0 } serials ? JsonSerializer.Serialize(serials, GatewayJsonContext.Default.IReadOnlyListString) : null,
                Ambiguous = resolution.Ambiguous ? 1 : 0,
                IssuedAt = resolution.Status == PurchaseStatus.Issued ? at : (long?)null,
                RefundDueAt = resolution.Status == PurchaseStatus.RefundDue ? at : (long?)null,
                RefundedAt = resolution.Status == PurchaseStatus.Refunded ? at : (long?)null,
                NextCheckAt = resolution.NextCheckAt?.ToUnixTimeMilliseconds(),
                resolution.ResponseStatus,
                resolution.ResponseBody,
                At = at,
            },
            transaction,
            cancellationToken: cancellationToken));
        if (updated == 1 && resolution.AttemptOutcome is { } outcome)
        {
            // The attempt a dead gateway left open gets the outcome the look-up established.
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE purchase_attempts SET finished_at = @at, outcome = @outcome WHERE purchase_id = @PurchaseId AND finished_at IS NULL",
                new { resolution.PurchaseId, at, outcome },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return updated == 1;
    }

    /// <summary>
    /// Purchases that are charged or possibly charged and not final (pending, refund_due, and
    /// in_progress with an attempt sent and untouched since <paramref name="inProgressUntouchedSince"/>),
    /// and among them the refunds due.
    /// </summary>
    public async Task<(long Unresolved, long RefundsDue)> CountOpenAsync(DateTimeOffset inProgressUntouchedSince, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            """
            SELECT COUNT(CASE WHEN status <> 'in_progress' OR (distributor_id IS NOT NULL AND updated_at <= @staleBefore) THEN 1 END),
                   COUNT(CASE WHEN status = 'refund_due' THEN 1 END)
            FROM purchases
            WHERE status IN ('in_progress', 'pending', 'refund_due')
            """,
            new { staleBefore = inProgressUntouchedSince.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }
}

/// <summary>An open purchase as reconciliation reads it.</summary>
/// <remarks>Settable properties, as <see cref="PurchaseRecord"/>: SQLite returns every integer as Int64.</remarks>
public sealed class OpenPurchase
{
    public string PurchaseId { get; set; } = "";
    public string Status { get; set; } = "";
    public string? DistributorId { get; set; }
    public string? OrderId { get; set; }
    public int Quantity { get; set; }
    public long? Amount { get; set; }
    public bool Ambiguous { get; set; }
    public int Checks { get; set; }
    public int? ResponseStatus { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long? NextCheckAt { get; set; }
}

/// <summary>
/// One reconciliation outcome, applied only if the purchase still has <see cref="ExpectedStatus"/>
/// and <see cref="ExpectedUpdatedAt"/>. Null members leave the column as it is, except
/// <see cref="NextCheckAt"/> (null: no further check) and <see cref="Ambiguous"/>.
/// The response members are written only where none is stored yet (a row a dead gateway left in_progress).
/// </summary>
public sealed record PurchaseResolution(
    string PurchaseId,
    string ExpectedStatus,
    long ExpectedUpdatedAt,
    string Status,
    DateTimeOffset At,
    string? OrderId = null,
    long? Amount = null,
    IReadOnlyList<string>? Serials = null,
    bool Ambiguous = false,
    DateTimeOffset? NextCheckAt = null,
    int? ResponseStatus = null,
    string? ResponseBody = null,
    string? AttemptOutcome = null);

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
