using System.Net;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>Where a distributor is free and nobody waits, the claim and the first attempt are one write.</summary>
public sealed class ClaimWithAttemptTests
{
    [Fact]
    public async Task Purchase_DistributorFreeNobodyWaiting_TwoCommitsForClaimAttemptAndAnswer()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var writer = gateway.Services.GetRequiredService<LedgerDatabase>().Writer;
        var before = writer.CommittedWrites;

        using var response = await gateway.PurchaseAsync("claim-with-attempt");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, writer.CommittedWrites - before);
        Assert.Equal(1L, await gateway.QueryLedgerAsync<long>(
            "SELECT COUNT(*) FROM purchase_attempts a JOIN purchases p ON p.purchase_id = a.purchase_id WHERE p.idempotency_key = 'claim-with-attempt' AND a.distributor_id = 'd01' AND a.outcome = 'issued'"));
    }

    [Fact]
    public async Task Purchase_RetryOfAKeyNobodyCouldSell_RecordsTheNextAttemptNumberWithTheClaim()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var distributor = gateway.Fleet["d01"];
        distributor.Behavior.Idle = IdleMode.RefuseOrders;
        using (var refused = await gateway.PurchaseAsync("claim-again"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        distributor.Behavior.Idle = IdleMode.None;
        using var sold = await gateway.PurchaseAsync("claim-again");

        Assert.Equal(HttpStatusCode.Created, sold.StatusCode);
        Assert.Equal(1, distributor.OrdersCreated);
        Assert.Equal("1:refused,2:issued", await gateway.QueryLedgerAsync<string>(
            """
            SELECT group_concat(a.attempt || ':' || a.outcome, ',') FROM (
              SELECT attempt, outcome FROM purchase_attempts a JOIN purchases p ON p.purchase_id = a.purchase_id
              WHERE p.idempotency_key = 'claim-again' ORDER BY attempt) a
            """));
    }
}
