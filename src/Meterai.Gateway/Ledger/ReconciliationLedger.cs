using System.Text.Json;
using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// Reconciliation's side of the ledger: the open purchases it follows up, its guarded writes, the
/// counts the metrics read, and the last known contact of every distributor a purchase may still
/// be owed by.
/// </summary>
internal sealed class ReconciliationLedger(LedgerDatabase database)
{
    private const string SelectOpen = """
        SELECT purchase_id AS PurchaseId, status AS Status, distributor_id AS DistributorId, order_id AS OrderId,
               quantity AS Quantity, amount AS Amount, ambiguous AS Ambiguous, checks AS Checks,
               response_status AS ResponseStatus, created_at AS CreatedAt, updated_at AS UpdatedAt, next_check_at AS NextCheckAt,
               try_started_at AS TryStartedAt
        FROM purchases
        """;

    /// <summary>The due open purchases, oldest first (<see cref="FindDueAsync"/>); its order is <c>ix_purchases_due</c>'s.</summary>
    internal const string FindDueSql = SelectOpen + """
         WHERE status IN ('in_progress', 'pending', 'refund_due')
          AND (next_check_at IS NULL OR next_check_at <= @now)
          AND (status <> 'in_progress' OR updated_at <= @staleBefore)
        ORDER BY COALESCE(next_check_at, updated_at), purchase_id
        LIMIT @limit
        """;

    /// <summary>
    /// Open purchases whose next reconciliation check is due, the longest-waiting first: pending and
    /// refund_due ones once <c>next_check_at</c> has passed, in_progress ones only once untouched
    /// since <paramref name="inProgressUntouchedSince"/> (their gateway died mid-request).
    /// </summary>
    /// <remarks>The first condition repeats the partial index's predicate, so the scan stays on open rows, in its order.</remarks>
    public async Task<IReadOnlyList<OpenPurchase>> FindDueAsync(
        DateTimeOffset now, DateTimeOffset inProgressUntouchedSince, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<OpenPurchase>(new CommandDefinition(
            FindDueSql,
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
                Serials = resolution.Serials is { Count: > 0 } serials ? JsonSerializer.Serialize(serials, KernelJsonContext.Default.IReadOnlyListString) : null,
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
        if (updated == 1 && resolution.Overcharge is { } overcharge)
        {
            await connection.ExecuteAsync(new CommandDefinition(Overcharge.Record.Sql, overcharge.Parameters(at), transaction, cancellationToken: cancellationToken));
        }

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

    /// <summary>
    /// Remembers how to reach each registered distributor, so that its purchases are still resolved
    /// after it leaves the registry. Upserted; a row changes only when its address or key does.
    /// </summary>
    /// <remarks>
    /// The key is stored because after a restart nothing else would know it, and the ledger is as
    /// trusted as the registry file it comes from; no report, page, metric or log reads this table.
    /// </remarks>
    public async Task SaveContactsAsync(IReadOnlyList<DistributorEntry> distributors, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(distributors);
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var distributor in distributors)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO distributor_contacts (distributor_id, base_url, api_key, seen_at) VALUES (@Id, @BaseUrl, @ApiKey, @At)
                ON CONFLICT (distributor_id) DO UPDATE SET base_url = excluded.base_url, api_key = excluded.api_key, seen_at = excluded.seen_at
                WHERE distributor_contacts.base_url <> excluded.base_url
                   OR COALESCE(distributor_contacts.api_key, '') <> COALESCE(excluded.api_key, '')
                """,
                new { distributor.Id, BaseUrl = distributor.BaseUrl.AbsoluteUri, distributor.ApiKey, At = at.ToUnixTimeMilliseconds() },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The last known contact of a distributor no longer in the registry; null when it was never seen.</summary>
    public async Task<DistributorEntry?> FindContactAsync(string distributorId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var contact = await connection.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(
            "SELECT base_url AS BaseUrl, api_key AS ApiKey FROM distributor_contacts WHERE distributor_id = @distributorId",
            new { distributorId },
            cancellationToken: cancellationToken));

        // One call at a time: a departed distributor is owed follow-ups, not traffic.
        return contact is not null ? new DistributorEntry(distributorId, distributorId, new Uri(contact.BaseUrl), contact.ApiKey, 1) : null;
    }

    /// <summary>
    /// What each distributor still owes: purchases charged or possibly charged and not final, per
    /// distributor, with the refunds due among them and their amount. For the oversight report.
    /// </summary>
    public async Task<IReadOnlyList<DistributorDebt>> UnresolvedByDistributorAsync(DateTimeOffset inProgressUntouchedSince, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DistributorDebt>(new CommandDefinition(
            """
            SELECT distributor_id AS DistributorId,
                   COUNT(*) AS Unresolved,
                   COUNT(CASE WHEN status = 'refund_due' THEN 1 END) AS RefundsDue,
                   CAST(COALESCE(SUM(CASE WHEN status = 'refund_due' THEN amount END), 0) AS BIGINT) AS RefundDueAmount
            FROM purchases
            WHERE status IN ('in_progress', 'pending', 'refund_due') AND distributor_id IS NOT NULL
              AND (status <> 'in_progress' OR updated_at <= @staleBefore)
            GROUP BY distributor_id
            ORDER BY distributor_id
            """,
            new { staleBefore = inProgressUntouchedSince.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }
}

internal sealed class ContactRow
{
    public string BaseUrl { get; set; } = "";
    public string? ApiKey { get; set; }
}

/// <summary>What one distributor still owes (see <see cref="ReconciliationLedger.UnresolvedByDistributorAsync"/>).</summary>
internal sealed class DistributorDebt
{
    public string DistributorId { get; set; } = "";
    public long Unresolved { get; set; }
    public long RefundsDue { get; set; }
    public long RefundDueAmount { get; set; }
}

/// <summary>An open purchase as reconciliation reads it.</summary>
/// <remarks>Settable properties, as <see cref="PurchaseRecord"/>: SQLite returns every integer as Int64.</remarks>
internal sealed class OpenPurchase
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

    /// <summary>When the current try was claimed: the delivery deadline runs from here.</summary>
    public long TryStartedAt { get; set; }

    public long UpdatedAt { get; set; }
    public long? NextCheckAt { get; set; }
}

/// <summary>
/// One reconciliation outcome, applied only if the purchase still has <see cref="ExpectedStatus"/>
/// and <see cref="ExpectedUpdatedAt"/>. Null members leave the column as it is, except
/// <see cref="NextCheckAt"/> (null: no further check) and <see cref="Ambiguous"/>.
/// The response members are written only where none is stored yet (a row a dead gateway left in_progress).
/// </summary>
internal sealed record PurchaseResolution(
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
    string? AttemptOutcome = null,
    Overcharge? Overcharge = null);

