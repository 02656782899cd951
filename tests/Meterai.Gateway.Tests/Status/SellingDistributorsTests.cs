using System.Net;
using Meterai.Gateway.Tests.Apis;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Status;

/// <summary>
/// Issue 8, item 13: <c>sellingDistributors</c> counts the distributors an order would be routed to
/// now, so not one that is healthy by probe and in stock but refuses every order.
/// </summary>
public sealed class SellingDistributorsTests
{
    [Fact]
    public async Task GetStatus_DistributorRefusingEveryOrder_IsNotCountedAndGetsNoMoreOrders()
    {
        await using var gateway = await GatewayHarness.StartAsync(
        [
            Fleets.Seller("d01"),
            new SimulatedDistributorOptions
            {
                Id = "d02",
                Name = "PT Uji menolak",
                InitialStock = 1_000_000,
                Behavior = new DistributorBehavior { Idle = IdleMode.RefuseOrders },
            },
        ]);
        await StatusApiTests.EventuallyStatusAsync(gateway, s => s.GetProperty("sellingDistributors").GetInt32() == 2);

        // Purchases fail over from d02 to d01 until d02 has refused three in a row.
        var refusals = 0;
        for (var i = 0; i < 200 && refusals < 3; i++)
        {
            using var purchase = await gateway.PurchaseAsync($"refusing-{i:D4}-key");
            Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
            refusals = await gateway.QueryLedgerAsync<int>("SELECT COUNT(*) FROM purchase_attempts WHERE distributor_id = 'd02'");
        }

        var status = await StatusApiTests.GetStatusAsync(gateway);
        using (var after = await gateway.PurchaseAsync("refusing-after-key"))
        {
            Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        }

        Assert.Equal(3, refusals);
        Assert.Equal(1, status.GetProperty("sellingDistributors").GetInt32());
        Assert.True(status.GetProperty("canBuy").GetBoolean());
        Assert.Equal(2, status.GetProperty("registeredDistributors").GetInt32());
        Assert.Equal(3, await gateway.QueryLedgerAsync<int>("SELECT COUNT(*) FROM purchase_attempts WHERE distributor_id = 'd02'"));
    }
}
