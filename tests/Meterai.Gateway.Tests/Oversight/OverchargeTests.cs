using System.Net;
using System.Text.Json;
using Meterai.Gateway.Tests.Purchases;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// A distributor that charges 15,000 for one e-Meterai: the order still counts, the ledger keeps
/// both amounts wherever the order was read, the report lists it under <c>overcharges</c> in every
/// form, and the audit opens an <c>overcharged</c> flag with that evidence.
/// </summary>
public sealed class OverchargeTests
{
    private const string OperatorKey = "operator-key-for-overcharge-tests";
    private const string RegulatorKey = "regulator-key-for-overcharge-tests";

    [Fact]
    public async Task Purchase_DistributorCharges15000ForOne_IssuedRecordedReportedAndFlagged()
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        scripted.PricePerEMeterai = 15_000;
        scripted.IssueAtOnce = true;
        await using var gateway = await StartAsync(scripted);
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);

        var (purchaseId, body) = await BuyAtScriptedAsync(gateway, scripted);

        Assert.Equal("issued", body.GetProperty("status").GetString());
        Assert.Equal(15_000, body.GetProperty("amount").GetInt64());
        var orderId = body.GetProperty("orderId").GetString()!;
        await AssertRecordedAsync(gateway, purchaseId, orderId);

        using var build = await gateway.Client.SendWithKeyAsync(
            HttpMethod.Post, "/api/oversight/reports", OperatorKey, new { from = started.ToString("o"), to = DateTimeOffset.UtcNow.ToString("o") });
        Assert.Equal(HttpStatusCode.Created, build.StatusCode);
        var reportPath = build.Headers.Location!.OriginalString;
        using var json = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, reportPath, RegulatorKey, accept: "application/json");
        var listed = Assert.Single((await GatewayHarness.JsonAsync(json)).GetProperty("overcharges").EnumerateArray());
        AssertOvercharge(listed, orderId);
        using var csv = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, reportPath, RegulatorKey, accept: "text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n");
        var header = lines[0].Split(',').ToList();
        var first = header.IndexOf("overcharges");
        Assert.Equal(["overcharges", "overcharge_amount_charged", "overcharge_amount_due", "overcharged_orders"], header.Skip(first).Take(4));
        Assert.Equal(["1", "15000", "10000", orderId], Assert.Single(lines, l => l.StartsWith("scripted,", StringComparison.Ordinal)).Split(',').Skip(first).Take(4));
        using var html = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, reportPath, RegulatorKey, accept: "text/html");
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("id=\"report-overcharges\"", page, StringComparison.Ordinal);
        Assert.Contains(orderId, page, StringComparison.Ordinal);
        using var pdf = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, reportPath, RegulatorKey, accept: "application/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);

        using var audit = await gateway.Client.SendWithKeyAsync(HttpMethod.Post, "/api/oversight/audit", OperatorKey);
        var flag = Assert.Single((await GatewayHarness.JsonAsync(audit)).GetProperty("opened").EnumerateArray(), f => f.GetProperty("reason").GetString() == "overcharged");
        Assert.Equal("scripted", flag.GetProperty("distributorId").GetString());
        var evidence = flag.GetProperty("evidence");
        AssertOvercharge(Assert.Single(evidence.GetProperty("overcharges").EnumerateArray()), orderId);
        Assert.Contains($"order {orderId} charged Rp 15.000 for 1 e-Meterai, Rp 10.000 due", evidence.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_AmbiguousAnswerLaterReadOvercharged_RecordedWithBothAmounts()
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        scripted.PricePerEMeterai = 15_000;
        scripted.OrderAnswer = new ScriptedAnswer(500, """{"error":"internal_error"}""");
        scripted.LookupAnswer = new ScriptedAnswer(503); // the purchase path's look-up learns nothing
        await using var gateway = await StartAsync(scripted);

        var (purchaseId, body) = await BuyAtScriptedAsync(gateway, scripted);
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal(0L, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM overcharges"));

        scripted.LookupAnswer = null;
        scripted.IssueAll();
        var pass = await UnlistedAnswerTests.ReconcileAsync(gateway);

        Assert.Equal(1, pass.Issued);
        await AssertRecordedAsync(gateway, purchaseId, Assert.Single(scripted.Orders).OrderId);
    }

    private static Task<GatewayHarness> StartAsync(ScriptedDistributor scripted) =>
        GatewayHarness.StartAsync(
            [Fleets.Seller("other")],
            new Dictionary<string, string?>
            {
                ["Auth:OperatorKeys:0"] = OperatorKey,
                ["Auth:RegulatorKeys:0"] = RegulatorKey,

                // Only the test runs audits and reconciliation here.
                ["Oversight:FirstAuditDelaySeconds"] = "86400",
                ["Reconciliation:IntervalSeconds"] = "86400",
            },
            editRegistry: scripted.AddTo);

    private static async Task<(string PurchaseId, JsonElement Body)> BuyAtScriptedAsync(GatewayHarness gateway, ScriptedDistributor scripted)
    {
        for (var i = 0; i < 12; i++)
        {
            using var response = await gateway.PurchaseAsync($"overcharge-{i:D2}");
            var body = await GatewayHarness.JsonAsync(response);
            if (body.GetProperty("distributorId").GetString() == scripted.Id)
            {
                return (body.GetProperty("purchaseId").GetString()!, body);
            }
        }

        throw new Xunit.Sdk.XunitException("no purchase reached the scripted distributor");
    }

    private static async Task AssertRecordedAsync(GatewayHarness gateway, string purchaseId, string orderId)
    {
        Assert.Equal("issued", await gateway.QueryLedgerAsync<string>("SELECT status FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId }));
        Assert.Equal(15_000L, await gateway.QueryLedgerAsync<long>("SELECT amount FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId }));
        Assert.Equal(15_000L, await gateway.QueryLedgerAsync<long>(
            "SELECT amount_charged FROM overcharges WHERE distributor_id = 'scripted' AND order_id = @orderId AND purchase_id = @purchaseId", new { orderId, purchaseId }));
        Assert.Equal(10_000L, await gateway.QueryLedgerAsync<long>("SELECT amount_due FROM overcharges WHERE order_id = @orderId", new { orderId }));
    }

    private static void AssertOvercharge(JsonElement listed, string orderId)
    {
        Assert.Equal(orderId, listed.GetProperty("orderId").GetString());
        Assert.Equal("scripted", listed.GetProperty("distributorId").GetString());
        Assert.Equal(15_000, listed.GetProperty("amountCharged").GetInt64());
        Assert.Equal(10_000, listed.GetProperty("amountDue").GetInt64());
    }
}
