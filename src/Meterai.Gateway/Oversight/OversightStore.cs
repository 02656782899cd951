using Dapper;
using Meterai.Gateway.Ledger;

namespace Meterai.Gateway.Oversight;

/// <summary>The oversight questions put to the ledger: sales, offers, undelivered money, refunds, flags and reports.</summary>
/// <remarks>Portable SQL: the same statements run on SQLite and PostgreSQL. Times are Unix milliseconds.</remarks>
internal sealed class OversightStore(LedgerDatabase database)
{
    /// <summary>Per distributor: orders and e-Meterai issued, offers and refusals, ambiguous answers, undelivered purchases.</summary>
    public async Task<IReadOnlyDictionary<string, LedgerActivity>> GetActivityAsync(
        DateTimeOffset from, DateTimeOffset to, DateTimeOffset undeliveredBefore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var parameters = new { from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(), undeliveredBefore = undeliveredBefore.ToUnixTimeMilliseconds() };
        var rows = await connection.QueryAsync<LedgerActivityRow>(new CommandDefinition(
            """
            SELECT distributor_id AS DistributorId,
                   SUM(orders) AS OrdersIssued, SUM(emeterai) AS EMeteraiIssued, SUM(amount) AS AmountIssued,
                   SUM(offers) AS Offers, SUM(refusals) AS Refusals, SUM(ambiguous) AS Ambiguous, SUM(undelivered) AS Undelivered,
                   SUM(refunds_owed) AS RefundsOwed, SUM(refunds_owed_amount) AS RefundsOwedAmount,
                   SUM(refunds_made) AS RefundsMade, SUM(refunds_made_amount) AS RefundsMadeAmount
            FROM (
                SELECT distributor_id, COUNT(*) AS orders, SUM(quantity) AS emeterai, SUM(COALESCE(amount, 0)) AS amount,
                       0 AS offers, 0 AS refusals, 0 AS ambiguous, 0 AS undelivered,
                       0 AS refunds_owed, 0 AS refunds_owed_amount, 0 AS refunds_made, 0 AS refunds_made_amount
                FROM purchases WHERE issued_at >= @from AND issued_at < @to GROUP BY distributor_id
                UNION ALL
                SELECT distributor_id, 0, 0, 0,
                       COUNT(*), SUM(CASE WHEN outcome IN ('refused', 'sold_out') THEN 1 ELSE 0 END),
                       SUM(CASE WHEN outcome = 'ambiguous' THEN 1 ELSE 0 END), 0, 0, 0, 0, 0
                FROM purchase_attempts WHERE started_at >= @from AND started_at < @to GROUP BY distributor_id
                UNION ALL
                SELECT distributor_id, 0, 0, 0, 0, 0, 0,
                       COUNT(*), 0, 0, 0, 0
                FROM purchases
                WHERE created_at >= @from AND created_at < @to AND status IN ('pending', 'refund_due', 'refunded')
                  AND issued_at IS NULL AND created_at < @undeliveredBefore
                GROUP BY distributor_id
                UNION ALL
                -- Owed now, whenever the purchase was made: the sentence says "at the time of this report".
                SELECT distributor_id, 0, 0, 0, 0, 0, 0, 0, COUNT(*), SUM(COALESCE(amount, 0)), 0, 0
                FROM purchases WHERE status = 'refund_due'
                GROUP BY distributor_id
                UNION ALL
                -- Made in the period, whenever the purchase was made: an old purchase's refund belongs to the period that paid it.
                SELECT distributor_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*), SUM(COALESCE(amount, 0))
                FROM purchases WHERE refunded_at >= @from AND refunded_at < @to
                GROUP BY distributor_id
            ) activity
            WHERE distributor_id IS NOT NULL
            GROUP BY distributor_id
            """,
            parameters,
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.DistributorId, r => r.ToActivity(), StringComparer.Ordinal);
    }

    /// <summary>Orders charged above their due (gateway spec: overcharges) first read in the period, oldest first.</summary>
    public async Task<IReadOnlyList<OverchargeRow>> GetOverchargesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string OrderId, string DistributorId, string PurchaseId, long Quantity, long AmountCharged, long AmountDue, long FoundAt)>(
            new CommandDefinition(
                """
                SELECT order_id, distributor_id, purchase_id, quantity, amount_charged, amount_due, found_at
                FROM overcharges WHERE found_at >= @from AND found_at < @to
                ORDER BY found_at, distributor_id, order_id
                """,
                new { from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken));
        return rows.Select(r => new OverchargeRow(
            r.OrderId, r.DistributorId, r.PurchaseId, (int)r.Quantity, r.AmountCharged, r.AmountDue, DateTimeOffset.FromUnixTimeMilliseconds(r.FoundAt))).ToList();
    }

    public async Task<IReadOnlyList<FlagRecord>> GetFlagsAsync(bool openOnly, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FlagRecord>(new CommandDefinition(
            $"""
            SELECT flag_id AS FlagId, distributor_id AS DistributorId, reason AS Reason, evidence AS Evidence,
                   opened_at AS OpenedAt, resolved_at AS ResolvedAt
            FROM flags {(openOnly ? "WHERE resolved_at IS NULL" : "")}
            ORDER BY opened_at DESC, distributor_id, reason
            """,
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>One distributor's flags that were open at any time since <paramref name="since"/>, newest first.</summary>
    public async Task<IReadOnlyList<FlagRecord>> GetFlagsOfAsync(string distributorId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FlagRecord>(new CommandDefinition(
            """
            SELECT flag_id AS FlagId, distributor_id AS DistributorId, reason AS Reason, evidence AS Evidence,
                   opened_at AS OpenedAt, resolved_at AS ResolvedAt
            FROM flags WHERE distributor_id = @distributorId AND (resolved_at IS NULL OR resolved_at >= @since)
            ORDER BY opened_at DESC, reason
            """,
            new { distributorId, since = since.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// One distributor day by day over [<paramref name="from"/>, <paramref name="to"/>): probes, orders
    /// offered, sold and refused, and purchases paid but not delivered by <paramref name="undeliveredBefore"/>.
    /// A day runs from midnight at <paramref name="utcOffset"/>; days without a row are absent.
    /// </summary>
    public async Task<IReadOnlyList<DailyActivityRow>> GetDailyActivityAsync(
        string distributorId, DateTimeOffset from, DateTimeOffset to, TimeSpan utcOffset, DateTimeOffset undeliveredBefore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DailyActivityRow>(new CommandDefinition(
            """
            SELECT day AS Day, CAST(SUM(probes) AS BIGINT) AS Probes, CAST(SUM(healthy) AS BIGINT) AS Healthy,
                   CAST(SUM(sold_out) AS BIGINT) AS SoldOut, CAST(SUM(offers) AS BIGINT) AS Offers, CAST(SUM(sold) AS BIGINT) AS Sold,
                   CAST(SUM(refused) AS BIGINT) AS Refused, CAST(SUM(undelivered) AS BIGINT) AS Undelivered
            FROM (
                -- Raw probes by their day, hourly roll-ups by theirs; the two never overlap (see ProbeHistory).
                SELECT (probed_at + @offset) / 86400000 AS day, COUNT(*) AS probes, SUM(healthy) AS healthy,
                       SUM(CASE WHEN healthy = 1 AND stock = 0 THEN 1 ELSE 0 END) AS sold_out,
                       0 AS offers, 0 AS sold, 0 AS refused, 0 AS undelivered
                FROM probes WHERE distributor_id = @distributorId AND probed_at >= @from AND probed_at < @to
                GROUP BY 1
                UNION ALL
                SELECT (hour_start + @offset) / 86400000, SUM(probes), SUM(healthy_probes), SUM(sold_out_probes), 0, 0, 0, 0
                FROM probe_rollups WHERE distributor_id = @distributorId AND hour_start >= @from AND hour_start < @to
                GROUP BY 1
                UNION ALL
                SELECT (started_at + @offset) / 86400000, 0, 0, 0, COUNT(*),
                       SUM(CASE WHEN outcome IN ('issued', 'pending') THEN 1 ELSE 0 END),
                       SUM(CASE WHEN outcome IN ('refused', 'sold_out') THEN 1 ELSE 0 END), 0
                FROM purchase_attempts WHERE distributor_id = @distributorId AND started_at >= @from AND started_at < @to
                GROUP BY 1
                UNION ALL
                SELECT (created_at + @offset) / 86400000, 0, 0, 0, 0, 0, 0, COUNT(*)
                FROM purchases
                WHERE distributor_id = @distributorId AND created_at >= @from AND created_at < @to
                  AND status IN ('pending', 'refund_due', 'refunded') AND issued_at IS NULL AND created_at < @undeliveredBefore
                GROUP BY 1
            ) daily
            GROUP BY day
            ORDER BY day
            """,
            new
            {
                distributorId,
                from = from.ToUnixTimeMilliseconds(),
                to = to.ToUnixTimeMilliseconds(),
                offset = (long)utcOffset.TotalMilliseconds,
                undeliveredBefore = undeliveredBefore.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Opens a flag unless the same one is already open; true when this call opened it.</summary>
    public async Task<bool> OpenFlagAsync(string flagId, string distributorId, string reason, string evidence, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO flags (flag_id, distributor_id, reason, evidence, opened_at)
            VALUES (@flagId, @distributorId, @reason, @evidence, @at)
            ON CONFLICT (distributor_id, reason) WHERE resolved_at IS NULL DO NOTHING
            """,
            new { flagId, distributorId, reason, evidence, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Resolves an open flag; true when this call resolved it (another gateway may have first).</summary>
    public async Task<bool> ResolveFlagAsync(string flagId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE flags SET resolved_at = @at WHERE flag_id = @flagId AND resolved_at IS NULL",
            new { flagId, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task InsertReportAsync(string reportId, DateTimeOffset from, DateTimeOffset to, DateTimeOffset createdAt, string body, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO reports (report_id, period_from, period_to, created_at, body) VALUES (@reportId, @from, @to, @createdAt, @body)",
            new { reportId, from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(), createdAt = createdAt.ToUnixTimeMilliseconds(), body },
            cancellationToken: cancellationToken));
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<ReportListing>> ListReportsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReportListing>(new CommandDefinition(
            """
            SELECT report_id AS ReportId, period_from AS PeriodFrom, period_to AS PeriodTo, created_at AS CreatedAt
            FROM reports ORDER BY created_at DESC, report_id DESC LIMIT @limit
            """,
            new { limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<string?> GetReportBodyAsync(string reportId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT body FROM reports WHERE report_id = @reportId", new { reportId }, cancellationToken: cancellationToken));
    }

    /// <summary>When the ledger's first migration ran: no period that ended before it has anything to report.</summary>
    public async Task<DateTimeOffset?> LedgerCreatedAtAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var at = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(applied_at) FROM schema_migrations", cancellationToken: cancellationToken));
        return at is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>The periods (Unix ms) of the reports that start at or after <paramref name="since"/>.</summary>
    public async Task<HashSet<(long From, long To)>> ReportedPeriodsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long, long)>(new CommandDefinition(
            "SELECT period_from, period_to FROM reports WHERE period_from >= @since",
            new { since = since.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return rows.ToHashSet();
    }

    private sealed class LedgerActivityRow
    {
        public string DistributorId { get; set; } = "";
        public long OrdersIssued { get; set; }
        public long EMeteraiIssued { get; set; }
        public long AmountIssued { get; set; }
        public long Offers { get; set; }
        public long Refusals { get; set; }
        public long Ambiguous { get; set; }
        public long Undelivered { get; set; }
        public long RefundsOwed { get; set; }
        public long RefundsOwedAmount { get; set; }
        public long RefundsMade { get; set; }
        public long RefundsMadeAmount { get; set; }

        public LedgerActivity ToActivity() => new(
            (int)OrdersIssued, (int)EMeteraiIssued, AmountIssued, (int)Offers, (int)Refusals, (int)Ambiguous, (int)Undelivered,
            (int)RefundsOwed, RefundsOwedAmount, (int)RefundsMade, RefundsMadeAmount);
    }
}

/// <summary>One distributor's money and orders over a period, from the ledger.</summary>
internal sealed record LedgerActivity(
    int OrdersIssued,
    int EMeteraiIssued,
    long AmountIssued,
    int Offers,
    int Refusals,
    int Ambiguous,
    int Undelivered,
    int RefundsOwed,
    long RefundsOwedAmount,
    int RefundsMade,
    long RefundsMadeAmount)
{
    public static readonly LedgerActivity None = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

internal sealed class FlagRecord
{
    public string FlagId { get; set; } = "";
    public string DistributorId { get; set; } = "";
    public string Reason { get; set; } = "";
    public string Evidence { get; set; } = "";
    public long OpenedAt { get; set; }
    public long? ResolvedAt { get; set; }
}

/// <summary>One local day of one distributor; <see cref="Day"/> counts days since 1 January 1970 in the page's zone.</summary>
internal sealed class DailyActivityRow
{
    public long Day { get; set; }
    public long Probes { get; set; }
    public long Healthy { get; set; }
    public long SoldOut { get; set; }
    public long Offers { get; set; }
    public long Sold { get; set; }
    public long Refused { get; set; }
    public long Undelivered { get; set; }
}

internal sealed class ReportListing
{
    public string ReportId { get; set; } = "";
    public long PeriodFrom { get; set; }
    public long PeriodTo { get; set; }
    public long CreatedAt { get; set; }
}
