using System.Net;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>
/// A distributor that refuses without charging is replaced within the same request. The bad
/// distributors turn bad after the gateway's first probe, so the gateway still offers them
/// orders and has to fail over on the refusal itself.
/// </summary>
public sealed class FailoverTests
{
    public enum Refusal
    {
        SoldOut,
        ConnectionRefused,
        Answers503,
        RefusesOrders,
    }

    [Theory]
    [InlineData(Refusal.SoldOut, "sold_out")]
    [InlineData(Refusal.ConnectionRefused, "refused")]
    [InlineData(Refusal.Answers503, "refused")]
    [InlineData(Refusal.RefusesOrders, "refused")]
    public async Task Purchase_DistributorsRefuseMidRun_FailsOverAndEveryApplicantGets201(Refusal refusal, string ledgerOutcome)
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("good"), Fleets.Seller("bad1"), Fleets.Seller("bad2"), Fleets.Seller("bad3")]);
        foreach (var id in new[] { "bad1", "bad2", "bad3" })
        {
            await MakeRefuseAsync(gateway.Fleet[id], refusal);
        }

        for (var i = 0; i < 8; i++)
        {
            using var response = await gateway.PurchaseAsync($"failover-{refusal}-{i:D4}");

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("good", (await GatewayHarness.JsonAsync(response)).GetProperty("distributorId").GetString());
        }

        Assert.Equal(8, gateway.Fleet["good"].OrdersCreated);
        Assert.Equal(8, gateway.TotalOrders);
        var refusedAttempts = await gateway.QueryLedgerAsync<long>(
            "SELECT COUNT(*) FROM purchase_attempts WHERE distributor_id LIKE 'bad%' AND outcome = @ledgerOutcome", new { ledgerOutcome });
        Assert.True(refusedAttempts > 0, "the load balancer never offered a bad distributor an order, so failover was not exercised");
    }

    [Fact]
    public async Task Purchase_SoldOutAnswer_StopsRoutingThereWithoutWaitingForAProbe()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("good"), Fleets.Seller("empty")]);
        gateway.Fleet["empty"].SetStock(0);

        for (var i = 0; i < 10; i++)
        {
            using var response = await gateway.PurchaseAsync($"sold-out-once-{i:D4}");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        // One 409 is enough: after it the gateway knows "empty" is sold out.
        Assert.True(await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchase_attempts WHERE distributor_id = 'empty'") <= 1);
        Assert.Equal(0, gateway.State("empty").Stock);
    }

    [Fact]
    public async Task Purchase_EveryDistributorRefuses_Returns503WithRetryAfterAndChargesNothing()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02")]);
        gateway.Fleet["d01"].SetStock(0);
        await gateway.Fleet["d02"].SetDownAsync(DownMode.RefuseConnections);

        using var response = await gateway.PurchaseAsync("nobody-sells-0001");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(0, gateway.TotalOrders);
        Assert.Equal("unavailable", await gateway.QueryLedgerAsync<string>("SELECT status FROM purchases WHERE idempotency_key = 'nobody-sells-0001'"));
    }

    [Fact]
    public async Task Purchase_RetryWithSameKeyAfter503_SellsUnderTheSamePurchase()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        gateway.Fleet["d01"].SetStock(0);
        using var refused = await gateway.PurchaseAsync("retry-after-503-01");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

        gateway.Fleet["d01"].SetStock(100);
        await gateway.ProbeNowAsync();
        using var sold = await gateway.PurchaseAsync("retry-after-503-01");

        Assert.Equal(HttpStatusCode.Created, sold.StatusCode);
        Assert.Equal(1, await gateway.CountPurchasesAsync());
        Assert.Equal(1, gateway.TotalOrders);
    }

    [Fact]
    public async Task Purchase_MoreRefusersThanMaxAttempts_StopsAfterMaxAttemptsWith503()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            Enumerable.Range(1, 5).Select(i => Fleets.Seller($"d{i:D2}")),
            new Dictionary<string, string?> { ["Purchasing:MaxAttempts"] = "2" });
        foreach (var distributor in gateway.Fleet.Distributors)
        {
            distributor.Behavior.Idle = IdleMode.RefuseOrders;
        }

        using var response = await gateway.PurchaseAsync("bounded-attempts-01");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchase_attempts"));
    }

    private static async Task MakeRefuseAsync(SimulatedDistributor distributor, Refusal refusal)
    {
        switch (refusal)
        {
            case Refusal.SoldOut:
                distributor.SetStock(0);
                break;
            case Refusal.ConnectionRefused:
                await distributor.SetDownAsync(DownMode.RefuseConnections);
                break;
            case Refusal.Answers503:
                await distributor.SetDownAsync(DownMode.ServiceUnavailable);
                break;
            case Refusal.RefusesOrders:
                distributor.Behavior.Idle = IdleMode.RefuseOrders;
                break;
        }
    }
}
