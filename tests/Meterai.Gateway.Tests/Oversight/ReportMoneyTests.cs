using System.Text.Json;
using Dapper;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>Each money figure of a report means what its sentence says, whatever the purchase's creation date.</summary>
public sealed class ReportMoneyTests
{
    private const string RegulatorKey = "regulator-key-for-report-money-tests";

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

    [Fact]
    public async Task Build_DistributorRemovedWithOpenPurchases_EveryFormSaysWhatItStillOwes()
    {
        await using var gateway = await StartAsync();
        var now = gateway.Services.GetRequiredService<TimeProvider>().GetUtcNow();

        // d09 left the registry owing one refund and one delivery; d01, registered, is not "removed".
        await InsertAsync(gateway, "p_gone_owed", "refund_due", 30_000, now.AddDays(-3), refundedAt: null, distributorId: "d09");
        await InsertAsync(gateway, "p_gone_pending", "pending", 10_000, now.AddDays(-3), refundedAt: null, distributorId: "d09");
        await InsertAsync(gateway, "p_here_pending", "pending", 10_000, now.AddDays(-3), refundedAt: null);

        var report = await gateway.Services.GetRequiredService<ReportBuilder>().BuildAsync(now.AddHours(-24), now, CancellationToken.None);

        Assert.Equal(new RemovedDistributorRow("d09", 2, 1, 30_000), Assert.Single(report.RemovedDistributors!));
        Assert.DoesNotContain(report.Distributors, d => d.Id == "d09");
        Assert.Contains(report.Findings, f => f.StartsWith("1 distributor removed from the registry still holds", StringComparison.Ordinal)
            && f.Contains("d09 (2 unresolved purchases, of which 1 refunds owed, Rp 30.000)", StringComparison.Ordinal));
        var forms = await FormsAsync(gateway, report.Id);
        var removed = Assert.Single(forms.Json.GetProperty("removedDistributors").EnumerateArray());
        Assert.Equal(("d09", 2, 1, 30_000L), (removed.GetProperty("id").GetString(), removed.GetProperty("unresolved").GetInt32(),
            removed.GetProperty("refundsOwed").GetInt32(), removed.GetProperty("refundsOwedAmount").GetInt64()));
        Assert.Contains(forms.Csv, line => line.StartsWith("d09,,removed,", StringComparison.Ordinal) && Cell(forms.Csv, line, "unresolved") == "2" && Cell(forms.Csv, line, "orphans_delivered") == "0"
            && Cell(forms.Csv, line, "overcharges") == "0");
        Assert.Contains("id=\"report-removed\"", forms.Html, StringComparison.Ordinal);
        Assert.True(forms.PdfBytes > 0);
    }

    [Fact]
    public async Task Build_OrphanOrderFoundIssued_EveryFormListsItAsOwedByItsDistributor()
    {
        await using var gateway = await StartAsync();
        var now = gateway.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await gateway.QueryLedgerAsync<long>(
            """
            INSERT INTO orphan_orders (purchase_id, distributor_id, status, quantity, sent_at, checks, order_id, amount, found_at, updated_at)
            VALUES ('pur_orphan', 'd01', 'delivered', 2, @at, 3, 'ord_late', 20000, @at, @at);
            SELECT 1;
            """,
            new { at = now.AddHours(-1).ToUnixTimeMilliseconds() });

        var report = await gateway.Services.GetRequiredService<ReportBuilder>().BuildAsync(now.AddHours(-24), now, CancellationToken.None);

        var orphan = Assert.Single(report.OrphanOrders!);
        Assert.Equal(("d01", "pur_orphan", "ord_late", 2, 20_000L), (orphan.DistributorId, orphan.PurchaseId, orphan.OrderId, orphan.Quantity, orphan.Amount));
        Assert.Contains(report.Findings, f => f.Contains("cannot be refunded", StringComparison.Ordinal) && f.Contains("d01 (1 order, Rp 20.000)", StringComparison.Ordinal));
        var forms = await FormsAsync(gateway, report.Id);
        Assert.Equal("ord_late", Assert.Single(forms.Json.GetProperty("orphanOrders").EnumerateArray()).GetProperty("orderId").GetString());
        Assert.Contains(forms.Csv, line => line.StartsWith("d01,", StringComparison.Ordinal) && Cell(forms.Csv, line, "unresolved") == "" && Cell(forms.Csv, line, "orphans_delivered") == "1"
            && Cell(forms.Csv, line, "overcharges") == "0");
        Assert.Contains("pur_orphan", forms.Html, StringComparison.Ordinal);
        Assert.Contains("The Distributor API (version 1) allows no refund of an issued e-Meterai", forms.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("spec", forms.Html, StringComparison.OrdinalIgnoreCase);
        Assert.True(forms.PdfBytes > 0);
    }

    /// <summary>One cell of a CSV line by its column's name (no quoted commas in these rows).</summary>
    private static string Cell(string[] csv, string line, string column) =>
        line.Split(',')[Array.IndexOf(csv[0].Split(','), column)];

    private static Task<GatewayHarness> StartAsync() =>
        GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?> { ["Auth:RegulatorKeys:0"] = RegulatorKey });

    /// <summary>The stored report as a regulator reads it: JSON, CSV lines, the page, and the PDF's size.</summary>
    private static async Task<(JsonElement Json, string[] Csv, string Html, int PdfBytes)> FormsAsync(GatewayHarness gateway, string id)
    {
        var path = $"/api/oversight/reports/{id}";
        using var json = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, path, RegulatorKey, accept: "application/json");
        using var csv = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, path, RegulatorKey, accept: "text/csv");
        using var html = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, path, RegulatorKey, accept: "text/html");
        using var pdf = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, path, RegulatorKey, accept: "application/pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        return (
            await GatewayHarness.JsonAsync(json),
            (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries),
            await html.Content.ReadAsStringAsync(),
            (await pdf.Content.ReadAsByteArrayAsync()).Length);
    }

    private static async Task InsertAsync(
        GatewayHarness gateway, string id, string status, long amount, DateTimeOffset createdAt, DateTimeOffset? refundedAt, string distributorId = "d01")
    {
        await using var connection = new SqliteConnection($"Data Source={gateway.LedgerPath}");
        await connection.ExecuteAsync(
            """
            INSERT INTO purchases (purchase_id, idempotency_key, request_hash, quantity, applicant_ref, status, distributor_id, order_id,
                                   amount, created_at, updated_at, refund_due_at, refunded_at)
            VALUES (@id, @id, 'h', 1, 'NIK-1', @status, @distributorId, @id, @amount, @created, @created, @created, @refunded)
            """,
            new { id, status, distributorId, amount, created = createdAt.ToUnixTimeMilliseconds(), refunded = refundedAt?.ToUnixTimeMilliseconds() });
    }
}
