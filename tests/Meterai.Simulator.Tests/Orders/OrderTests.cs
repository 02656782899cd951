using System.Net;
using System.Net.Http.Json;
using System.Text;
using Meterai.Simulator.Tests.Testing;

namespace Meterai.Simulator.Tests.Orders;

public sealed class OrderTests
{
    [Fact]
    public async Task PostOrder_HappyPath_Returns201WithSerialsAndDecrementsStock()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        var before = sim.Distributor.Stock;

        using var response = await sim.OrderAsync("k-happy", quantity: 3, applicantRef: "APP-42");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await SimulatorHarness.ReadAsync(response);
        Assert.Equal("issued", body.GetProperty("status").GetString());
        Assert.Equal(3, body.GetProperty("quantity").GetInt32());
        Assert.Equal(30_000, body.GetProperty("amount").GetInt32());
        var serials = body.GetProperty("serials").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal(3, serials.Distinct().Count());
        Assert.Equal(before - 3, sim.Distributor.Stock);
        var order = Assert.Single(sim.Distributor.Orders);
        Assert.Equal(body.GetProperty("orderId").GetString(), order.OrderId);
        Assert.Equal("APP-42", order.ApplicantRef);

        using var stock = await sim.Client.GetAsync(new Uri("stock", UriKind.Relative));
        var stockBody = await SimulatorHarness.ReadAsync(stock);
        Assert.Equal(before - 3, stockBody.GetProperty("available").GetInt32());
        Assert.Equal(10_000, stockBody.GetProperty("unitPrice").GetInt32());
    }

    [Fact]
    public async Task PostOrder_SameKeyReplayed_ReturnsSameOrderWithoutSecondCharge()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        var before = sim.Distributor.Stock;

        using var first = await sim.OrderAsync("k-replay", quantity: 2);
        using var second = await sim.OrderAsync("k-replay", quantity: 2);

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var a = await SimulatorHarness.ReadAsync(first);
        var b = await SimulatorHarness.ReadAsync(second);
        Assert.Equal(a.GetProperty("orderId").GetString(), b.GetProperty("orderId").GetString());
        Assert.Equal(a.GetProperty("serials").ToString(), b.GetProperty("serials").ToString());
        Assert.Equal(1, sim.Distributor.OrdersCreated);
        Assert.Equal(before - 2, sim.Distributor.Stock);
    }

    [Fact]
    public async Task PostOrder_TenConcurrentSameKey_CreatesOneOrder()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        var before = sim.Distributor.Stock;

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => sim.OrderAsync("k-race", quantity: 1)));

        var ids = new HashSet<string?>();
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                ids.Add((await SimulatorHarness.ReadAsync(response)).GetProperty("orderId").GetString());
            }
        }

        Assert.Single(ids);
        Assert.Equal(1, sim.Distributor.OrdersCreated);
        Assert.Equal(before - 1, sim.Distributor.Stock);
    }

    [Fact]
    public async Task PostOrder_SameKeyOtherBody_Returns422()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        using var first = await sim.OrderAsync("k-reuse", quantity: 1, applicantRef: "A");

        using var otherQuantity = await sim.OrderAsync("k-reuse", quantity: 2, applicantRef: "A");
        using var otherRef = await sim.OrderAsync("k-reuse", quantity: 1, applicantRef: "B");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherQuantity.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherRef.StatusCode);
        Assert.Equal(1, sim.Distributor.OrdersCreated);
    }

    [Fact]
    public async Task PostOrder_MissingIdempotencyKey_Returns400()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        using var response = await sim.OrderAsync(key: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("missing_idempotency_key", (await SimulatorHarness.ReadAsync(response)).GetProperty("error").GetString());
        Assert.Equal(0, sim.Distributor.OrdersCreated);
    }

    [Theory]
    [InlineData("{\"quantity\":0,\"applicantRef\":\"A\"}")]
    [InlineData("{\"quantity\":11,\"applicantRef\":\"A\"}")]
    [InlineData("{\"quantity\":1}")]
    [InlineData("{\"quantity\":1,\"applicantRef\":\"\"}")]
    [InlineData("{\"applicantRef\":\"A\"}")]
    [InlineData("{\"quantity\":\"one\",\"applicantRef\":\"A\"}")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task PostOrder_InvalidBody_Returns400(string body)
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        using var response = await sim.PostOrderAsync("k-bad", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, sim.Distributor.OrdersCreated);
    }

    [Fact]
    public async Task PostOrder_ApplicantRefLongerThan64_Returns400()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        using var tooLong = await sim.OrderAsync("k-long", applicantRef: new string('x', 65));
        using var longest = await sim.OrderAsync("k-longest", applicantRef: new string('x', 64));

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
    }

    [Fact]
    public async Task PostOrder_SoldOut_Returns409AndStockShowsZero()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        sim.Distributor.SetStock(2);

        using var tooMany = await sim.OrderAsync("k-3", quantity: 3);
        using var exact = await sim.OrderAsync("k-2", quantity: 2);
        using var after = await sim.OrderAsync("k-1", quantity: 1);

        Assert.Equal(HttpStatusCode.Conflict, tooMany.StatusCode);
        Assert.Equal("out_of_stock", (await SimulatorHarness.ReadAsync(tooMany)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Created, exact.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, after.StatusCode);
        var stock = await sim.Client.GetFromJsonAsync<StockDto>(new Uri("stock", UriKind.Relative), SimulatorHarness.Json);
        Assert.Equal(0, stock!.Available);
        Assert.Equal(1, sim.Distributor.OrdersCreated);
    }

    [Fact]
    public async Task GetOrder_ByIdAndByKey_ReturnsOrderWithIdempotencyKey()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        using var created = await sim.OrderAsync("k-look", quantity: 2);
        var orderId = (await SimulatorHarness.ReadAsync(created)).GetProperty("orderId").GetString();

        var byKey = await sim.LookupByKeyAsync("k-look");
        using var byIdResponse = await sim.Client.GetAsync(new Uri($"orders/{orderId}", UriKind.Relative));
        var byId = await SimulatorHarness.ReadAsync(byIdResponse);

        Assert.Equal(orderId, byKey.GetProperty("orderId").GetString());
        Assert.Equal("k-look", byKey.GetProperty("idempotencyKey").GetString());
        Assert.Equal("issued", byKey.GetProperty("status").GetString());
        Assert.Equal(2, byKey.GetProperty("serials").GetArrayLength());
        Assert.Equal(byKey.ToString(), byId.ToString());
    }

    [Fact]
    public async Task GetOrder_UnknownKeyOrId_Returns404()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        using var byKey = await sim.Client.GetAsync(new Uri("orders?idempotencyKey=never-used", UriKind.Relative));
        using var byId = await sim.Client.GetAsync(new Uri("orders/no-such-order", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, byKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byId.StatusCode);
    }

    private sealed record StockDto(int Available, int UnitPrice);
}
