using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Reconciliation;

/// <summary>
/// Reconciliation passes against a real ledger and real simulated distributors, time moved by
/// hand: pending purchases end issued or refunded, never left open silently.
/// </summary>
public abstract class ReconcilerTests(string provider)
{
    private static readonly TimeSpan PastDeadline = TimeSpan.FromMinutes(31);

    [Fact]
    public async Task RunOnce_StuckPendingThenIssued_RecordsSerialsOnceIssued()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var (purchaseId, order) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromMinutes(10), OrderStatus.Issued);
        var reconciler = bench.Reconciler();

        var first = await reconciler.RunOnceAsync(CancellationToken.None);
        var stillPending = await bench.RowAsync(purchaseId);
        bench.Time.Advance(TimeSpan.FromMinutes(11));
        var second = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, first.StillOpen);
        Assert.Equal(PurchaseStatus.Pending, stillPending.Status);
        Assert.Equal(1, stillPending.Checks);
        Assert.Equal(1, second.Issued);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Issued, row.Status);
        Assert.Equal(order.OrderId, row.OrderId);
        var simulated = Assert.Single(bench.Simulators["d01"].Orders);
        Assert.Equal(OrderStatus.Issued, simulated.Status);
        Assert.Equal(simulated.Serials, row.SerialList);
        Assert.Single(row.SerialList);
        Assert.Equal(bench.Now, row.IssuedAt);
        Assert.Null(row.NextCheckAt);
        Assert.Null(row.RefundDueAt);
        Assert.Equal(0, bench.Simulators["d01"].RefundsMade);
    }

    [Fact]
    public async Task RunOnce_StuckPendingThenFailed_RefundDueThenRefunded()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var (purchaseId, order) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromMinutes(5), OrderStatus.Failed);
        var reconciler = bench.Reconciler();
        bench.Time.Advance(TimeSpan.FromMinutes(6));

        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.Refunded);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Refunded, row.Status);
        Assert.Equal(order.OrderId, row.OrderId);
        Assert.Equal(bench.Now, row.RefundDueAt);
        Assert.Equal(bench.Now, row.RefundedAt);
        Assert.Null(row.IssuedAt);
        Assert.Null(row.NextCheckAt);
        Assert.Empty(row.SerialList);
        Assert.Equal(2, row.Checks); // the look-up, then the refund request
        var simulator = bench.Simulators["d01"];
        Assert.Equal(1, simulator.RefundsMade);
        Assert.Equal(OrderStatus.Refunded, Assert.Single(simulator.Orders).Status);
    }

    [Fact]
    public async Task RunOnce_PendingPastDeliveryDeadline_RefundDueAndRefunded()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var (purchaseId, _) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(2), OrderStatus.Issued);
        var reconciler = bench.Reconciler();
        bench.Time.Advance(TimeSpan.FromMinutes(29));
        var beforeDeadline = await reconciler.RunOnceAsync(CancellationToken.None);
        var stillPending = (await bench.RowAsync(purchaseId)).Status;
        bench.Time.Advance(TimeSpan.FromMinutes(2));

        var pastDeadline = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, beforeDeadline.StillOpen);
        Assert.Equal(PurchaseStatus.Pending, stillPending);
        Assert.Equal(1, pastDeadline.Refunded);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Refunded, row.Status);
        Assert.NotNull(row.RefundDueAt);
        Assert.NotNull(row.RefundedAt);
        var simulator = bench.Simulators["d01"];
        Assert.Equal(1, simulator.RefundsMade);
        Assert.Equal(OrderStatus.Refunded, Assert.Single(simulator.Orders).Status);
    }

    [Fact]
    public async Task RunOnce_RefundDueWhileDistributorDown_RequestedUntilConfirmed()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var (purchaseId, _) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(2), OrderStatus.Issued);
        var reconciler = bench.Reconciler();
        var simulator = bench.Simulators["d01"];
        simulator.Behavior.Down = DownMode.ServiceUnavailable;
        bench.Time.Advance(PastDeadline);

        var whileDown = await reconciler.RunOnceAsync(CancellationToken.None);
        var owed = await bench.RowAsync(purchaseId);
        bench.Time.Advance(TimeSpan.FromSeconds(30));
        var notDueYet = await reconciler.RunOnceAsync(CancellationToken.None);
        simulator.Behavior.Down = DownMode.None;
        bench.Time.Advance(TimeSpan.FromMinutes(10));
        var afterRecovery = await reconciler.RunOnceAsync(CancellationToken.None);

        // Past the deadline with a known order: refund_due even though the look-up failed.
        Assert.Equal(1, whileDown.RefundsDue);
        Assert.Equal(PurchaseStatus.RefundDue, owed.Status);
        Assert.NotNull(owed.RefundDueAt);
        Assert.True(owed.NextCheckAt > owed.RefundDueAt, "the failed refund request is retried after a backoff");
        Assert.Equal(0, notDueYet.Examined);
        Assert.Equal(1, afterRecovery.Refunded);
        Assert.Equal(PurchaseStatus.Refunded, (await bench.RowAsync(purchaseId)).Status);
        Assert.Equal(1, simulator.RefundsMade);
    }

    [Fact]
    public async Task RunOnce_RefundRefusedBecauseIssued_RecordsSerialsAndIssued()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));

        // The deadline passed while the order was pending; it was issued just before the refund request.
        var (purchaseId, order) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromMinutes(40), OrderStatus.Issued);
        var reconciler = bench.Reconciler();
        var simulator = bench.Simulators["d01"];
        simulator.Behavior.Down = DownMode.ServiceUnavailable;
        bench.Time.Advance(PastDeadline);
        await reconciler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(PurchaseStatus.RefundDue, (await bench.RowAsync(purchaseId)).Status);
        simulator.Behavior.Down = DownMode.None;
        bench.Time.Advance(TimeSpan.FromMinutes(10));

        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.Issued);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Issued, row.Status);
        Assert.Equal(order.OrderId, row.OrderId);
        Assert.Equal(Assert.Single(simulator.Orders).Serials, row.SerialList);
        Assert.NotNull(row.IssuedAt);
        Assert.Null(row.NextCheckAt);
        Assert.Equal(0, simulator.RefundsMade);
    }

    [Fact]
    public async Task RunOnce_AmbiguousWithNoOrderAtDistributor_UnavailableOnlyPastDeadline()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var purchaseId = ReconciliationBench.NewPurchaseId();

        // The distributor's answer was lost and the purchase path's look-up learned nothing.
        await bench.RecordAsync(purchaseId, "d01", PurchaseStatus.Pending, order: null, ambiguous: true);
        var reconciler = bench.Reconciler();

        var early = await reconciler.RunOnceAsync(CancellationToken.None);
        var earlyRow = await bench.RowAsync(purchaseId);
        bench.Time.Advance(PastDeadline);
        var late = await reconciler.RunOnceAsync(CancellationToken.None);

        // Before the deadline a 404 by key is not trusted: a slow distributor may still create the order.
        Assert.Equal(1, early.StillOpen);
        Assert.Equal(PurchaseStatus.Pending, earlyRow.Status);
        Assert.True(earlyRow.Ambiguous);
        Assert.Equal(1, late.NothingCharged);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Unavailable, row.Status);
        Assert.Null(row.NextCheckAt);
        Assert.Null(row.RefundDueAt);
        Assert.Equal(0, bench.Simulators["d01"].OrdersCreated);
        Assert.Equal(0, bench.Simulators["d01"].RefundsMade);

        // Nothing was charged, so the applicant's retry with the same key is a new try.
        var retry = await bench.Ledger.ClaimAsync(
            new NewPurchase(ReconciliationBench.NewPurchaseId(), "key-" + purchaseId[4..], "hash", 1, ReconciliationBench.ApplicantRef, bench.Time.GetUtcNow()), CancellationToken.None);
        Assert.Equal(ClaimKind.Claimed, retry.Kind);
        Assert.Equal(purchaseId, retry.PurchaseId);
    }

    [Fact]
    public async Task RunOnce_AmbiguousAndOrderFoundByKey_RecordsOrderAndFollowsIt()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var simulator = bench.Simulators["d01"];
        simulator.Behavior.StuckPendingRate = 1;
        simulator.Behavior.StuckPendingFor = TimeSpan.FromMinutes(3);
        simulator.Behavior.StuckPendingOutcome = OrderStatus.Issued;
        var purchaseId = ReconciliationBench.NewPurchaseId();
        var (_, order) = await bench.PlaceOrderAsync("d01", purchaseId);
        await bench.RecordAsync(purchaseId, "d01", PurchaseStatus.Pending, order: null, ambiguous: true);
        var reconciler = bench.Reconciler();

        await reconciler.RunOnceAsync(CancellationToken.None);
        var learned = await bench.RowAsync(purchaseId);
        bench.Time.Advance(TimeSpan.FromMinutes(4));
        await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(PurchaseStatus.Pending, learned.Status);
        Assert.Equal(order!.OrderId, learned.OrderId);
        Assert.False(learned.Ambiguous);
        Assert.NotNull(learned.NextCheckAt);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Issued, row.Status);
        Assert.Equal(Assert.Single(simulator.Orders).Serials, row.SerialList);
    }

    [Fact]
    public async Task RunOnce_LookUpKeepsFailing_NextCheckFollowsBackoffSchedule()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var (purchaseId, _) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(2), OrderStatus.Issued);
        bench.Simulators["d01"].Behavior.Down = DownMode.ServiceUnavailable;
        var reconciler = bench.Reconciler();
        var waits = new List<long>();

        for (var pass = 0; pass < 6; pass++)
        {
            var result = await reconciler.RunOnceAsync(CancellationToken.None);
            Assert.Equal(1, result.StillOpen);
            var row = await bench.RowAsync(purchaseId);
            Assert.Equal(PurchaseStatus.Pending, row.Status);
            Assert.Equal(pass + 1, row.Checks);
            var wait = TimeSpan.FromMilliseconds(row.NextCheckAt!.Value - bench.Now);
            waits.Add((long)wait.TotalSeconds);

            // Not due a moment before its next check, due at it.
            if (wait > TimeSpan.Zero)
            {
                bench.Time.Advance(wait - TimeSpan.FromSeconds(1));
                Assert.Equal(0, (await reconciler.RunOnceAsync(CancellationToken.None)).Examined);
                bench.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        Assert.Equal([30L, 60, 120, 300, 600, 600], waits);
    }

    [Fact]
    public async Task RunOnce_StaleInProgressWithoutAttempt_Unavailable()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.StartAsync(purchaseId, distributorId: null);
        var reconciler = bench.Reconciler();

        var fresh = await reconciler.RunOnceAsync(CancellationToken.None);
        bench.Time.Advance(TimeSpan.FromMinutes(2));
        var stale = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, fresh.Examined); // a live request may still own it
        Assert.Equal(1, stale.NothingCharged);
        Assert.Equal(PurchaseStatus.Unavailable, (await bench.RowAsync(purchaseId)).Status);
    }

    [Fact]
    public async Task RunOnce_StaleInProgressWithOrderIssued_AdoptsOrderWithReplayableAnswer()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.StartAsync(purchaseId, "d01");
        var (_, order) = await bench.PlaceOrderAsync("d01", purchaseId); // sent, then the gateway died
        bench.Time.Advance(TimeSpan.FromMinutes(2));

        var pass = await bench.Reconciler().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.Issued);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Issued, row.Status);
        Assert.Equal(order!.OrderId, row.OrderId);
        Assert.Equal(order.Serials, row.SerialList);
        Assert.Equal(201, row.ResponseStatus);
        Assert.Contains(order.Serials![0], row.ResponseBody, StringComparison.Ordinal);
        Assert.Equal("ambiguous", await bench.ScalarAsync<string>("SELECT outcome FROM purchase_attempts WHERE purchase_id = @purchaseId", new { purchaseId }));
        var replay = await bench.Ledger.ClaimAsync(
            new NewPurchase(ReconciliationBench.NewPurchaseId(), "key-" + purchaseId[4..], "hash", 1, ReconciliationBench.ApplicantRef, bench.Time.GetUtcNow()), CancellationToken.None);
        Assert.Equal(ClaimKind.Replay, replay.Kind);
        Assert.Equal(201, replay.ReplayStatus);
    }

    [Fact]
    public async Task RunOnce_StaleInProgressWithNoOrderPastDeadline_Unavailable()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.StartAsync(purchaseId, "d01"); // the attempt was written, the request never arrived
        bench.Time.Advance(PastDeadline); // before it, a 404 is not trusted (ReconcilerMoneyTests)

        var pass = await bench.Reconciler().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.NothingCharged);
        Assert.Equal(PurchaseStatus.Unavailable, (await bench.RowAsync(purchaseId)).Status);
        Assert.Equal(0, bench.Simulators["d01"].OrdersCreated);
    }

    [Fact]
    public async Task RunOnce_StaleInProgressAndDistributorDown_PendingAmbiguousAndStillCounted()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.StartAsync(purchaseId, "d01");
        bench.Simulators["d01"].Behavior.Down = DownMode.ServiceUnavailable;
        bench.Time.Advance(TimeSpan.FromMinutes(2));

        await bench.Reconciler().RunOnceAsync(CancellationToken.None);

        // Out of in_progress (a retry with the key gets 202, not 409 for ever), and still followed up.
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Pending, row.Status);
        Assert.True(row.Ambiguous);
        Assert.Equal(202, row.ResponseStatus);
        Assert.Equal(bench.Now + 30_000, row.NextCheckAt); // the backoff after its first check
        Assert.Equal((1L, 0L), await bench.ReconciliationLedger.CountOpenAsync(bench.Time.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task RunOnce_TwoConcurrentPasses_OnlyOneActsOnEachPurchase()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"), Fleets.Seller("d02"));
        var failed = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            failed.Add((await bench.BuyStuckPendingAsync(i % 2 == 0 ? "d01" : "d02", TimeSpan.FromMinutes(1), OrderStatus.Failed)).PurchaseId);
        }

        bench.Time.Advance(TimeSpan.FromMinutes(2));
        var first = bench.Reconciler();
        var second = bench.Reconciler();

        var passes = await Task.WhenAll(first.RunOnceAsync(CancellationToken.None), second.RunOnceAsync(CancellationToken.None));

        Assert.Equal(6, passes.Sum(p => p.Refunded));
        Assert.Equal(0, passes.Sum(p => p.Errors));
        foreach (var purchaseId in failed)
        {
            var row = await bench.RowAsync(purchaseId);
            Assert.Equal(PurchaseStatus.Refunded, row.Status);
            Assert.Equal(2, row.Checks); // one look-up and one refund request: nobody checked twice
        }

        Assert.Equal(3, bench.Simulators["d01"].RefundsMade);
        Assert.Equal(3, bench.Simulators["d02"].RefundsMade);
    }

    [Fact]
    public async Task RunOnce_OneDistributorSilent_OthersStillReconciled()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("slow"), Fleets.Seller("d02"));
        var slow = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            slow.Add((await bench.BuyStuckPendingAsync("slow", TimeSpan.FromMinutes(1), OrderStatus.Issued)).PurchaseId);
        }

        var (fine, _) = await bench.BuyStuckPendingAsync("d02", TimeSpan.FromMinutes(1), OrderStatus.Issued);
        bench.Simulators["slow"].Behavior.Latency = TimeSpan.FromSeconds(30);
        bench.Time.Advance(TimeSpan.FromMinutes(2));
        var reconciler = bench.Reconciler(ReconciliationBench.Options(o =>
        {
            o.CallTimeoutSeconds = 0.5;
            o.FailuresBeforeSkippingDistributor = 2;
        }));

        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(PurchaseStatus.Issued, (await bench.RowAsync(fine)).Status);
        Assert.Equal(1, pass.Issued);
        Assert.Equal(8, pass.StillOpen);
        foreach (var purchaseId in slow)
        {
            var row = await bench.RowAsync(purchaseId);
            Assert.Equal(PurchaseStatus.Pending, row.Status);
            Assert.Equal(1, row.Checks);
            Assert.True(row.NextCheckAt > bench.Now, "each waits for its next check");
        }
    }
}

public sealed class ReconcilerSqliteTests() : ReconcilerTests(LedgerProviders.Sqlite);

public sealed class ReconcilerPostgresTests() : ReconcilerTests(LedgerProviders.Postgres);
