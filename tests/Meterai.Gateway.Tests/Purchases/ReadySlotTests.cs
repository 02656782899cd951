using System.Net;
using Meterai.Gateway.Tests.Testing;
using Meterai.Testing;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>
/// An order recorded while its distributor is full waits in a ready slot and goes the moment the
/// order ahead finishes: the ledger write is off the distributor's time, and the distributor never
/// has more than its limit.
/// </summary>
public sealed class ReadySlotTests
{
    [Fact]
    public async Task Purchase_DistributorFull_RecordsTheNextAttemptWhileTheFirstIsInFlightAndSendsItAfter()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", capacity: 1, serviceTime: TimeSpan.FromMilliseconds(600))],
            new Dictionary<string, string?> { ["Capacity:Learning"] = "false", ["Capacity:ReadyShare"] = "1" });
        var distributor = gateway.Fleet["d01"];

        var first = gateway.PurchaseAsync("ready-first");
        await Eventually.TrueAsync(() => distributor.CurrentConcurrency == 1, "the first order to reach the distributor");
        var second = gateway.PurchaseAsync("ready-second");

        // Recorded, in a ready slot, while the first order still holds the distributor's only place.
        await Eventually.TrueAsync(
            async () => await gateway.QueryLedgerAsync<long>(
                "SELECT COUNT(*) FROM purchase_attempts a JOIN purchases p ON p.purchase_id = a.purchase_id WHERE p.idempotency_key = 'ready-second'") == 1,
            "the second attempt to be recorded");
        Assert.Equal(1, distributor.CurrentConcurrency);
        Assert.Equal(1, distributor.OrdersCreated);

        using var firstAnswer = await first;
        using var secondAnswer = await second;
        Assert.Equal(HttpStatusCode.Created, firstAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.Created, secondAnswer.StatusCode);
        Assert.Equal(2, distributor.OrdersCreated);
        Assert.Equal(1, distributor.MaxObservedConcurrency);
    }

    [Fact]
    public async Task Purchase_ReadyOrderGetsNoTurnInTime_WithdrawnUnsentAndAnswered503()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", capacity: 1, serviceTime: TimeSpan.FromSeconds(20))],
            new Dictionary<string, string?>
            {
                ["Capacity:Learning"] = "false",
                ["Capacity:ReadyShare"] = "1",
                ["Admission:MaxWaitSeconds"] = "0.3",
            });
        var distributor = gateway.Fleet["d01"];
        using var holding = new CancellationTokenSource();
        var first = gateway.PurchaseAsync("withdrawn-holds", cancellationToken: holding.Token);
        await Eventually.TrueAsync(() => distributor.CurrentConcurrency == 1, "the first order to hold the distributor");

        using var response = await gateway.PurchaseAsync("withdrawn-ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a 503 without Retry-After");
        Assert.Equal(1, distributor.OrdersCreated);
        Assert.Equal("withdrawn", await gateway.QueryLedgerAsync<string>(
            "SELECT a.outcome FROM purchase_attempts a JOIN purchases p ON p.purchase_id = a.purchase_id WHERE p.idempotency_key = 'withdrawn-ready'"));
        Assert.Equal("unavailable", await gateway.QueryLedgerAsync<string>("SELECT status FROM purchases WHERE idempotency_key = 'withdrawn-ready'"));
        await holding.CancelAsync();
        await first.ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Purchase_LimitGrowsWhileAllWait_NewSlotsGoToTheWaitersAtOnce()
    {
        // Everyone queues behind a cold start limit of 1. Slots a finishing order hands on are one
        // for one; the slots the learned limit adds must reach the waiters too, or the distributor
        // would stay at 1 however much it can take.
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", capacity: 4, serviceTime: TimeSpan.FromMilliseconds(50))],
            new Dictionary<string, string?>
            {
                ["Capacity:InitialLimit"] = "1",
                ["Capacity:ReadyShare"] = "0",
                ["Admission:MaxWaitSeconds"] = "60",
                ["Admission:MaxWaitServiceTimes"] = "100",
            });
        var distributor = gateway.Fleet["d01"];

        var purchases = Enumerable.Range(0, 60).Select(i => gateway.PurchaseAsync($"grow-{i:D3}")).ToArray();
        var answers = await Task.WhenAll(purchases);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        Assert.InRange(distributor.MaxObservedConcurrency, 3, 4);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }
}
