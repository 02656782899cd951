using Dapper;
using Meterai.Gateway.Kernel;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// The orders a distributor may hold for a purchase it no longer holds (<c>orphan_orders</c>): an
/// attempt sent there got no definite answer, and the purchase was then sold elsewhere or released.
/// </summary>
/// <remarks>
/// Written only by reconciliation's orphan sweep; every write is guarded by the state it read, so
/// two gateways sharing the ledger never both act on one orphan.
/// </remarks>
internal sealed class OrphanLedger(LedgerDatabase database)
{
    /// <summary>
    /// Starts watching every distributor that got an attempt of a purchase without a definite answer
    /// (ambiguous, or never answered) since <paramref name="sentSince"/>, once that purchase has left
    /// in_progress and is bound to another distributor or released. The distributor that holds the
    /// purchase itself is never watched: an order there is the purchase's own (adopted by reconciliation).
    /// </summary>
    /// <returns>How many were newly watched.</returns>
    public async Task<int> EnlistAsync(DateTimeOffset sentSince, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        return await lease.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO orphan_orders (purchase_id, distributor_id, status, quantity, sent_at, checks, next_check_at, updated_at)
            SELECT a.purchase_id, a.distributor_id, 'watching', MAX(p.quantity), MAX(a.started_at), 0, @now, @now
            FROM purchase_attempts a JOIN purchases p ON p.purchase_id = a.purchase_id
            WHERE (a.outcome IS NULL OR a.outcome = 'ambiguous') AND a.started_at >= @since
              AND p.status <> 'in_progress'
              AND (p.status = 'unavailable' OR p.distributor_id IS NULL OR p.distributor_id <> a.distributor_id)
            GROUP BY a.purchase_id, a.distributor_id
            ON CONFLICT (purchase_id, distributor_id) DO NOTHING
            """,
            new { since = sentSince.ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Watched orphans whose next look-up is due, the longest-waiting first, with the purchase as it stands now.</summary>
    public async Task<IReadOnlyList<WatchedOrphan>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<WatchedOrphan>(new CommandDefinition(
            """
            SELECT o.purchase_id AS PurchaseId, o.distributor_id AS DistributorId, o.quantity AS Quantity, o.sent_at AS SentAt,
                   o.checks AS Checks, o.order_id AS OrderId, p.status AS PurchaseStatus, p.distributor_id AS PurchaseDistributorId
            FROM orphan_orders o JOIN purchases p ON p.purchase_id = o.purchase_id
            WHERE o.status = 'watching' AND o.next_check_at <= @now
            ORDER BY o.next_check_at, o.purchase_id
            LIMIT @limit
            """,
            new { now = now.ToUnixTimeMilliseconds(), limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Takes one look-up: counts it and moves the next one along, before the distributor is called. False when another pass has it.</summary>
    public async Task<bool> ClaimCheckAsync(WatchedOrphan orphan, DateTimeOffset nextCheckAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orphan);
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        return await lease.Connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE orphan_orders SET checks = checks + 1, next_check_at = @next, updated_at = @now
            WHERE purchase_id = @PurchaseId AND distributor_id = @DistributorId AND status = 'watching' AND checks = @Checks
            """,
            new { orphan.PurchaseId, orphan.DistributorId, orphan.Checks, next = nextCheckAt.ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Ends the watch with what was found (<see cref="OrphanStatus"/>); false when it had ended already.</summary>
    public async Task<bool> CloseAsync(WatchedOrphan orphan, string status, string? orderId, long? amount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orphan);
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var at = now.ToUnixTimeMilliseconds();
        var closed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE orphan_orders
            SET status = @status, order_id = COALESCE(@orderId, order_id), amount = COALESCE(@amount, amount),
                found_at = CASE WHEN @found = 1 THEN @now ELSE found_at END, next_check_at = NULL, updated_at = @now
            WHERE purchase_id = @PurchaseId AND distributor_id = @DistributorId AND status = 'watching'
            """,
            new
            {
                orphan.PurchaseId,
                orphan.DistributorId,
                status,
                orderId,
                amount,
                found = orderId is null ? 0 : 1,
                now = at,
            },
            transaction,
            cancellationToken: cancellationToken)) == 1;

        // An orphan charged above its due is an overcharge like any other, refunded or not.
        if (closed && Overcharge.Of(orphan.DistributorId, orderId, orphan.PurchaseId, orphan.Quantity, amount) is { } overcharge)
        {
            await connection.ExecuteAsync(new CommandDefinition(Overcharge.Record.Sql, overcharge.Parameters(at), transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return closed;
    }

    /// <summary>
    /// Delivered orphans: orders a distributor issued for a purchase sold elsewhere, which the
    /// docs/api/distributor-api.md allows no refund of, so the distributor owes the applicant a credit. For the oversight report.
    /// </summary>
    public async Task<IReadOnlyList<DeliveredOrphan>> DeliveredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveredOrphan>(new CommandDefinition(
            """
            SELECT distributor_id AS DistributorId, purchase_id AS PurchaseId, order_id AS OrderId, quantity AS Quantity,
                   amount AS Amount, found_at AS FoundAt
            FROM orphan_orders WHERE status = 'delivered'
            ORDER BY distributor_id, found_at, purchase_id
            """,
            cancellationToken: cancellationToken));
        return rows.AsList();
    }
}

/// <summary>The values of <c>orphan_orders.status</c>.</summary>
internal static class OrphanStatus
{
    public const string Watching = "watching";
    public const string Refunded = "refunded";
    public const string Delivered = "delivered";
    public const string Adopted = "adopted";
    public const string Unseen = "unseen";
}

/// <summary>A watched orphan and its purchase as it stands now.</summary>
/// <remarks>Settable properties: SQLite returns every integer as Int64.</remarks>
internal sealed class WatchedOrphan
{
    public string PurchaseId { get; set; } = "";
    public string DistributorId { get; set; } = "";
    public int Quantity { get; set; }
    public long SentAt { get; set; }
    public int Checks { get; set; }
    public string? OrderId { get; set; }
    public string PurchaseStatus { get; set; } = "";
    public string? PurchaseDistributorId { get; set; }
}

/// <summary>An issued order for a purchase sold elsewhere (see <see cref="OrphanLedger.DeliveredAsync"/>).</summary>
internal sealed class DeliveredOrphan
{
    public string DistributorId { get; set; } = "";
    public string PurchaseId { get; set; } = "";
    public string? OrderId { get; set; }
    public int Quantity { get; set; }
    public long? Amount { get; set; }
    public long? FoundAt { get; set; }
}
