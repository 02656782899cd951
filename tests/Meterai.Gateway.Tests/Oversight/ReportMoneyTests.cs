using Dapper;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>Each money figure of a report means what its sentence says, whatever the purchase's creation date.</summary>
public sealed class ReportMoneyTests
{
    [Fact]
    public async Task Build_OldRefundDueAndOldPurchaseRefundedInPeriod_CountsBoth()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var now = gateway.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var from = now.AddHours(-24);
        var longAgo = now.AddDays(-10);

        // Bought ten days ago: one still owed a refund, one refunded inside the period, one refunded before it.
        await InsertAsync(gateway, "p_old_owed", "refund_due", 30_000, longAgo, refundedAt: null);
        await InsertAsync(gateway, "p_old_refunded", "refunded", 20_000, longAgo, refundedAt: now.AddHours(-2));
        await InsertAsync(gateway, "p_old_refunded_before", "refunded", 50_000, longAgo, refundedAt: now.AddDays(-5));

        var report = await gateway.Services.GetRequiredService<ReportBuilder>().BuildAsync(from, now, CancellationToken.None);

        var owed = await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchases WHERE status = 'refund_due'");
        var made = await gateway.QueryLedgerAsync<long>(
            "SELECT COUNT(*) FROM purchases WHERE refunded_at >= @from AND refunded_at < @to",
            new { from = from.ToUnixTimeMilliseconds(), to = now.ToUnixTimeMilliseconds() });
        Assert.Equal(1, owed);
        Assert.Equal(owed, report.Totals.RefundsOwed);
        Assert.Equal(30_000, report.Totals.RefundsOwedAmount);
        Assert.Equal(made, report.Totals.RefundsMade);
        Assert.Equal(20_000, report.Totals.RefundsMadeAmount);
        Assert.Contains(report.Findings, f => f.StartsWith("Refunds owed at the time of this report", StringComparison.Ordinal)
            && f.Contains(": 1 (Rp 30.000)", StringComparison.Ordinal) && f.Contains(": 1 (Rp 20.000).", StringComparison.Ordinal));
    }

    private static async Task InsertAsync(GatewayHarness gateway, string id, string status, long amount, DateTimeOffset createdAt, DateTimeOffset? refundedAt)
    {
        await using var connection = new SqliteConnection($"Data Source={gateway.LedgerPath}");
        await connection.ExecuteAsync(
            """
            INSERT INTO purchases (purchase_id, idempotency_key, request_hash, quantity, applicant_ref, status, distributor_id, order_id,
                                   amount, created_at, updated_at, refund_due_at, refunded_at)
            VALUES (@id, @id, 'h', 1, 'NIK-1', @status, 'd01', @id, @amount, @created, @created, @created, @refunded)
            """,
            new { id, status, amount, created = createdAt.ToUnixTimeMilliseconds(), refunded = refundedAt?.ToUnixTimeMilliseconds() });
    }
}
