using System.Net;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>
/// An independent distributor that charges and then answers outside the spec's list of refusals
/// (403, 404, 408, a redirect, a 200...). With a healthy distributor beside it, the purchase is
/// never sold again there: one order across the fleet, 202 pending, and reconciliation ends it.
/// </summary>
public sealed class UnlistedAnswerTests
{
    private const string PendingBody = """{"orderId":"ord_x","status":"pending","quantity":1,"amount":10000}""";

    /// <summary>What the scripted distributor answers after charging, by row name.</summary>
    private static ScriptedAnswer Answer(string row) => row switch
    {
        "302" => ScriptedAnswer.Redirect(302, "/elsewhere/orders"),
        "307" => ScriptedAnswer.Redirect(307, "/elsewhere/orders"),
        "200" => new ScriptedAnswer(200, PendingBody),
        "409-other-error" => new ScriptedAnswer(409, """{"error":"idempotency_conflict"}"""),
        "201-other-quantity" => new ScriptedAnswer(201, """{"orderId":"ord_x","status":"issued","quantity":2,"amount":20000,"serials":["MT-1","MT-2"]}"""),
        "201-no-order-id" => new ScriptedAnswer(201, """{"status":"issued","quantity":1,"amount":10000,"serials":["MT-1"]}"""),
        "202-over-64KiB" => new ScriptedAnswer(202, ScriptedAnswer.Padded(PendingBody)),
        _ => new ScriptedAnswer(int.Parse(row, System.Globalization.CultureInfo.InvariantCulture), """{"error":"scripted"}"""),
    };

    [Theory]
    [InlineData("403")]
    [InlineData("404")]
    [InlineData("408")]
    [InlineData("302")]
    [InlineData("307")]
    [InlineData("200")]
    [InlineData("204")]
    [InlineData("402")]
    [InlineData("500")]
    [InlineData("501")]
    [InlineData("505")]
    [InlineData("409-other-error")]
    [InlineData("201-other-quantity")]
    [InlineData("201-no-order-id")]
    [InlineData("202-over-64KiB")]
    public async Task Purchase_ChargedThenUnlistedAnswer_OneOrderAcrossFleetPendingThenReconciledIssued(string row)
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        scripted.OrderAnswer = Answer(row);
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("other")], editRegistry: scripted.AddTo);

        var purchaseId = await BuyUntilScriptedAsync(gateway, scripted, $"unlisted-{row}");

        Assert.Equal(1, scripted.OrderRequests);
        Assert.Equal(0, scripted.ElsewhereRequests); // a redirect is an answer, not followed with the order
        Assert.Equal("ambiguous", await gateway.QueryLedgerAsync<string>("SELECT outcome FROM purchase_attempts WHERE purchase_id = @purchaseId", new { purchaseId }));
        scripted.IssueAll();
        var pass = await ReconcileAsync(gateway);

        Assert.Equal(1, pass.Issued);
        using var followed = await gateway.Client.GetAsync($"/api/purchases/{purchaseId}");
        var purchase = await GatewayHarness.JsonAsync(followed);
        Assert.Equal("issued", purchase.GetProperty("status").GetString());
        Assert.Equal(1, purchase.GetProperty("serials").GetArrayLength());
        Assert.Equal(1, gateway.OrdersFor(purchaseId) + scripted.OrdersFor(purchaseId));
    }

    [Theory]
    [InlineData("403")]
    [InlineData("200")]
    public async Task Purchase_DistributorKeepsChargingThenUnlistedAnswer_LeavesRotationAndNobodyIsChargedTwice(string row)
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        scripted.OrderAnswer = Answer(row);
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("other")],
            new Dictionary<string, string?> { ["PassiveHealth:ReactivationSeconds"] = "3600" },
            editRegistry: scripted.AddTo);

        for (var i = 0; i < 20; i++)
        {
            using var response = await gateway.PurchaseAsync($"keeps-{row}-{i:D2}");
            var purchaseId = (await GatewayHarness.JsonAsync(response)).GetProperty("purchaseId").GetString()!;
            Assert.Equal(1, gateway.OrdersFor(purchaseId) + scripted.OrdersFor(purchaseId));
        }

        // Passive health counts each ambiguous answer as a failure: out at MinimumRequests (5) answers.
        Assert.InRange(scripted.OrderRequests, 1, 5);
        Assert.Equal(20, gateway.TotalOrders + scripted.Orders.Count);
    }

    /// <summary>Buys until a purchase reaches the scripted distributor; every purchase on the way makes one order.</summary>
    internal static async Task<string> BuyUntilScriptedAsync(GatewayHarness gateway, ScriptedDistributor scripted, string keyPrefix)
    {
        for (var i = 0; i < 12; i++)
        {
            using var response = await gateway.PurchaseAsync($"{keyPrefix}-{i:D2}");
            var body = await GatewayHarness.JsonAsync(response);
            var purchaseId = body.GetProperty("purchaseId").GetString()!;
            Assert.Equal(1, gateway.OrdersFor(purchaseId) + scripted.OrdersFor(purchaseId));
            if (body.GetProperty("distributorId").GetString() != scripted.Id)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                continue;
            }

            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("pending", body.GetProperty("status").GetString());
            Assert.Equal($"/api/purchases/{purchaseId}", response.Headers.Location?.OriginalString);
            return purchaseId;
        }

        throw new Xunit.Sdk.XunitException("no purchase reached the scripted distributor");
    }

    /// <summary>One reconciliation pass, on a clock just past the gateway's.</summary>
    internal static Task<ReconciliationPass> ReconcileAsync(GatewayHarness gateway, TimeSpan? later = null) =>
        Reconciliation.GatewayReconciler.For(gateway, new FakeTimeProvider(DateTimeOffset.UtcNow + (later ?? TimeSpan.FromSeconds(1)))).RunOnceAsync(CancellationToken.None);
}
