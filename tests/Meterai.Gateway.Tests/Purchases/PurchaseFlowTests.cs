using System.Net;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Purchases;

public sealed class PurchaseFlowTests
{
    [Fact]
    public async Task Purchase_HealthyDistributor_Returns201WithSerialsAndLedgerRow()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

        using var response = await gateway.PurchaseAsync("happy-path-0001", quantity: 3);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await GatewayHarness.JsonAsync(response);
        Assert.Equal("issued", body.GetProperty("status").GetString());
        Assert.Equal("d01", body.GetProperty("distributorId").GetString());
        Assert.Equal(3, body.GetProperty("quantity").GetInt32());
        Assert.Equal(30_000, body.GetProperty("amount").GetInt64());
        Assert.Equal(3, body.GetProperty("serials").GetArrayLength());
        var order = Assert.Single(gateway.Fleet["d01"].Orders);
        Assert.Equal(body.GetProperty("orderId").GetString(), order.OrderId);
        Assert.Equal(body.GetProperty("purchaseId").GetString(), order.IdempotencyKey);
        Assert.Equal("issued", await gateway.QueryLedgerAsync<string>("SELECT status FROM purchases WHERE idempotency_key = 'happy-path-0001'"));
    }

    [Fact]
    public async Task GetPurchase_AfterIssue_ReturnsSamePurchase()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        using var created = await gateway.PurchaseAsync("get-after-0001", quantity: 2);
        var purchaseId = (await GatewayHarness.JsonAsync(created)).GetProperty("purchaseId").GetString();

        using var read = await gateway.Client.GetAsync($"/api/purchases/{purchaseId}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var body = await GatewayHarness.JsonAsync(read);
        Assert.Equal("issued", body.GetProperty("status").GetString());
        Assert.Equal(2, body.GetProperty("serials").GetArrayLength());
    }

    [Theory]
    [InlineData("pur_00000000000000000000000000000000")]
    [InlineData("not-a-purchase-id")]
    public async Task GetPurchase_UnknownId_Returns404Problem(string purchaseId)
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

        using var read = await gateway.Client.GetAsync($"/api/purchases/{purchaseId}");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
    }
}
