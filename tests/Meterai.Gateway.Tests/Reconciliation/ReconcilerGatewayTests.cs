using System.Net;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Reconciliation;

/// <summary>Purchases made through the real gateway that the applicant was answered 202 for, then reconciled.</summary>
public sealed class ReconcilerGatewayTests
{
    [Theory]
    [InlineData(OrderStatus.Failed, "refund_due")]
    [InlineData(OrderStatus.Pending, "pending")]
    public async Task RunOnce_ChargeThenFailOrder_EndsRefunded(OrderStatus orderStatus, string answeredStatus)
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("flaky")]);
        var flaky = gateway.Fleet["flaky"];
        flaky.Behavior.ChargeThenFailRate = 1;
        flaky.Behavior.ChargeThenFailAnswer = FailureAnswer.Status500;
        flaky.Behavior.ChargeThenFailOrderStatus = orderStatus;
        flaky.Behavior.StuckPendingFor = TimeSpan.FromHours(2); // a pending one stays pending past the deadline
        flaky.Behavior.StuckPendingOutcome = OrderStatus.Issued;
        using var response = await gateway.PurchaseAsync($"charge-fail-reconcile-{orderStatus}");
        var body = await GatewayHarness.JsonAsync(response);
        var purchaseId = body.GetProperty("purchaseId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(answeredStatus, body.GetProperty("status").GetString());

        // The gateway's clock is real; this pass's clock starts there and passes the delivery deadline.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(1));
        if (orderStatus == OrderStatus.Pending)
        {
            time.Advance(TimeSpan.FromMinutes(31));
        }

        var reconciler = GatewayReconciler.For(gateway, time);

        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.Refunded);
        Assert.Equal("refunded", await gateway.QueryLedgerAsync<string>("SELECT status FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId }));
        Assert.Equal(1, flaky.RefundsMade);
        Assert.Equal(OrderStatus.Refunded, Assert.Single(flaky.Orders).Status);
        using var followed = await gateway.Client.GetAsync($"/api/purchases/{purchaseId}");
        Assert.Equal("refunded", (await GatewayHarness.JsonAsync(followed)).GetProperty("status").GetString());
    }
}
