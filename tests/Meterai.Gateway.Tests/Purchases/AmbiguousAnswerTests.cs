using System.Net;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>
/// A distributor that may have charged is asked about the order by key, never replaced: each
/// purchase makes one order at most, and the applicant gets 201 or 202, never an error.
/// </summary>
public sealed class AmbiguousAnswerTests
{
    [Theory]
    [InlineData(FailureAnswer.Status500, OrderStatus.Issued, HttpStatusCode.Created, "issued")]
    [InlineData(FailureAnswer.Status504, OrderStatus.Issued, HttpStatusCode.Created, "issued")]
    [InlineData(FailureAnswer.DropConnection, OrderStatus.Issued, HttpStatusCode.Created, "issued")]
    [InlineData(FailureAnswer.Status500, OrderStatus.Pending, HttpStatusCode.Accepted, "pending")]
    [InlineData(FailureAnswer.DropConnection, OrderStatus.Pending, HttpStatusCode.Accepted, "pending")]
    [InlineData(FailureAnswer.Status504, OrderStatus.Failed, HttpStatusCode.Accepted, "refund_due")]
    public async Task Purchase_ChargeThenFail_LooksUpOrderAndAnswersWithoutSecondOrder(
        FailureAnswer answer, OrderStatus orderStatus, HttpStatusCode expectedCode, string expectedStatus)
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("flaky"), Fleets.Seller("other")]);
        var flaky = gateway.Fleet["flaky"];
        flaky.Behavior.ChargeThenFailRate = 1;
        flaky.Behavior.ChargeThenFailAnswer = answer;
        flaky.Behavior.ChargeThenFailOrderStatus = orderStatus;

        var answeredByFlaky = 0;
        for (var i = 0; i < 6; i++)
        {
            using var response = await gateway.PurchaseAsync($"charge-fail-{answer}-{orderStatus}-{i}");
            var body = await GatewayHarness.JsonAsync(response);
            var purchaseId = body.GetProperty("purchaseId").GetString()!;

            Assert.Equal(1, gateway.OrdersFor(purchaseId));
            if (body.GetProperty("distributorId").GetString() == "flaky")
            {
                answeredByFlaky++;
                Assert.Equal(expectedCode, response.StatusCode);
                Assert.Equal(expectedStatus, body.GetProperty("status").GetString());
                Assert.Equal(flaky.Orders.Single(o => o.IdempotencyKey == purchaseId).OrderId, body.GetProperty("orderId").GetString());
                if (expectedCode == HttpStatusCode.Accepted)
                {
                    Assert.Equal($"/api/purchases/{purchaseId}", response.Headers.Location?.OriginalString);
                }
            }
            else
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        }

        Assert.True(answeredByFlaky > 0, "no purchase reached the charge-then-fail distributor");
        Assert.Equal(6, gateway.TotalOrders);
    }

    [Fact]
    public async Task Purchase_DistributorSilentPastTimeout_Answers202PendingAndNeverTriesAnother()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("slow"), Fleets.Seller("other")],
            new Dictionary<string, string?>
            {
                ["Purchasing:AttemptTimeoutSeconds"] = "0.5",
                ["Purchasing:LookupTimeoutSeconds"] = "0.2",
                ["Purchasing:LookupRetries"] = "0",
            });
        gateway.Fleet["slow"].Behavior.Latency = TimeSpan.FromSeconds(2);

        var answeredBySlow = 0;
        for (var i = 0; i < 6 && answeredBySlow == 0; i++)
        {
            using var response = await gateway.PurchaseAsync($"silent-distributor-{i:D2}");
            var body = await GatewayHarness.JsonAsync(response);
            if (body.GetProperty("distributorId").GetString() != "slow")
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                continue;
            }

            answeredBySlow++;
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("pending", body.GetProperty("status").GetString());
            var purchaseId = body.GetProperty("purchaseId").GetString()!;
            Assert.Equal(1L, await gateway.QueryLedgerAsync<long>("SELECT ambiguous FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId }));
            Assert.Equal(1L, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchase_attempts WHERE purchase_id = @purchaseId", new { purchaseId }));
            Assert.DoesNotContain(gateway.Fleet["other"].Orders, o => o.IdempotencyKey == purchaseId);
        }

        Assert.Equal(1, answeredBySlow);
    }

    [Fact]
    public async Task Purchase_ApplicantHangsUpMidOrder_LedgerStillRecordsTheIssuedOrder()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01", serviceTime: TimeSpan.FromMilliseconds(500))]);
        using var hangUp = new CancellationTokenSource();
        var purchase = gateway.PurchaseAsync("hang-up-early-0001", cancellationToken: hangUp.Token);
        await Eventually.TrueAsync(() => gateway.Fleet["d01"].CurrentConcurrency == 1, "the order to reach the distributor");

        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => purchase);

        await Eventually.TrueAsync(
            () => gateway.QueryLedgerAsync<string>("SELECT status FROM purchases WHERE idempotency_key = 'hang-up-early-0001'").Result == "issued",
            "the purchase to be recorded as issued");
        // The distributor's own 201 was heard, not cut off and reconstructed by a look-up.
        Assert.Equal("issued", await gateway.QueryLedgerAsync<string>(
            "SELECT a.outcome FROM purchase_attempts a JOIN purchases p ON p.purchase_id = a.purchase_id WHERE p.idempotency_key = 'hang-up-early-0001'"));
        Assert.Equal(1, gateway.TotalOrders);
    }
}
