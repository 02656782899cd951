using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Reconciliation;

/// <summary>
/// A distributor slower than the whole delivery deadline creates and charges its order after the
/// purchase was released and the applicant's retry was sold by another distributor: the orphan is
/// refunded at the slow distributor, or, when it is issued already, recorded as owed.
/// Real simulators, a real ledger on each provider, one manual clock.
/// </summary>
public abstract class OrphanSweepTests(string provider)
{
    [Fact]
    public async Task RunOnce_CrashedAttemptOrderCreatedAfterRetrySoldElsewhere_RefundsTheOrphan()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"), Fleets.Seller("d02"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.StartAsync(purchaseId, "d01"); // the gateway died with the order on its way to d01
        var reconciler = bench.Reconciler();
        await ReleasedAfterDeadlineAsync(bench, reconciler, purchaseId, adoptFirst: true);
        await SoldAtD02Async(bench, purchaseId);

        // d01, slow, creates and charges the order only now; it stays pending there.
        var d01 = bench.Simulators["d01"];
        d01.Behavior.StuckPendingRate = 1;
        d01.Behavior.StuckPendingFor = TimeSpan.FromHours(2);
        Assert.Equal(202, (await bench.PlaceOrderAsync("d01", purchaseId)).Status);
        bench.Time.Advance(TimeSpan.FromMinutes(1));
        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.OrphansRefunded);
        Assert.Equal(1, d01.RefundsMade);
        Assert.Equal(OrderStatus.Refunded, Assert.Single(d01.Orders).Status);
        Assert.Equal(0, bench.Simulators["d02"].RefundsMade);
        Assert.Equal(PurchaseStatus.Issued, (await bench.RowAsync(purchaseId)).Status);
        Assert.Equal(OrphanStatus.Refunded, await OrphanStatusAsync(bench, purchaseId, "d01"));
    }

    [Fact]
    public async Task RunOnce_LiveAmbiguousAnswerOrderFailedAfterRetrySoldElsewhere_RefundsTheOrphan()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"), Fleets.Seller("d02"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.RecordAsync(purchaseId, "d01", PurchaseStatus.Pending, order: null, ambiguous: true); // d01 answered 504, no order by key yet
        var reconciler = bench.Reconciler();
        await ReleasedAfterDeadlineAsync(bench, reconciler, purchaseId, adoptFirst: false);
        await SoldAtD02Async(bench, purchaseId);

        // d01 charges late and its issuance fails: a refund is owed and nobody holds the purchase there.
        var d01 = bench.Simulators["d01"];
        d01.Behavior.ChargeThenFailRate = 1;
        d01.Behavior.ChargeThenFailOrderStatus = OrderStatus.Failed;
        Assert.Equal(500, (await bench.PlaceOrderAsync("d01", purchaseId)).Status);
        bench.Time.Advance(TimeSpan.FromMinutes(1));
        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.OrphansRefunded);
        Assert.Equal(1, d01.RefundsMade);
        Assert.Equal(OrderStatus.Refunded, Assert.Single(d01.Orders).Status);
        Assert.Equal(PurchaseStatus.Issued, (await bench.RowAsync(purchaseId)).Status);
    }

    [Fact]
    public async Task RunOnce_OrphanFoundIssued_RecordedDeliveredAndNotRefunded()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"), Fleets.Seller("d02"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.RecordAsync(purchaseId, "d01", PurchaseStatus.Pending, order: null, ambiguous: true);
        var reconciler = bench.Reconciler();
        await ReleasedAfterDeadlineAsync(bench, reconciler, purchaseId, adoptFirst: false);
        await SoldAtD02Async(bench, purchaseId);
        var (status, late) = await bench.PlaceOrderAsync("d01", purchaseId);
        Assert.Equal(201, status);
        bench.Time.Advance(TimeSpan.FromMinutes(1));

        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.OrphansDelivered);
        Assert.Equal(0, bench.Simulators["d01"].RefundsMade);
        var owed = Assert.Single(await new OrphanLedger(bench.Database).DeliveredAsync(CancellationToken.None));
        Assert.Equal(("d01", purchaseId, late!.OrderId), (owed.DistributorId, owed.PurchaseId, owed.OrderId));
        Assert.Equal(late.Amount, owed.Amount);
    }

    [Fact]
    public async Task RunOnce_OrphanFoundIssuedAndOvercharged_RecordsBothAmounts()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01", unitPrice: 15_000), Fleets.Seller("d02"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.RecordAsync(purchaseId, "d01", PurchaseStatus.Pending, order: null, ambiguous: true);
        var reconciler = bench.Reconciler();
        await ReleasedAfterDeadlineAsync(bench, reconciler, purchaseId, adoptFirst: false);
        await SoldAtD02Async(bench, purchaseId);
        var (_, late) = await bench.PlaceOrderAsync("d01", purchaseId);
        bench.Time.Advance(TimeSpan.FromMinutes(1));

        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.OrphansDelivered);
        Assert.Equal(15_000L, await bench.ScalarAsync<long>(
            "SELECT amount_charged FROM overcharges WHERE distributor_id = 'd01' AND order_id = @orderId AND purchase_id = @purchaseId",
            new { orderId = late!.OrderId, purchaseId }));
        Assert.Equal(10_000L, await bench.ScalarAsync<long>("SELECT amount_due FROM overcharges WHERE order_id = @orderId", new { orderId = late.OrderId }));
    }

    [Fact]
    public async Task RunOnce_RetryWentBackToTheSameDistributor_AdoptedNotRefunded()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"), Fleets.Seller("d02"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.RecordAsync(purchaseId, "d01", PurchaseStatus.Pending, order: null, ambiguous: true);
        var reconciler = bench.Reconciler();
        await ReleasedAfterDeadlineAsync(bench, reconciler, purchaseId, adoptFirst: false);

        // The retry goes to d01 again, which now answers with the order for the key: the purchase's own.
        var d01 = bench.Simulators["d01"];
        d01.Behavior.StuckPendingRate = 1;
        d01.Behavior.StuckPendingFor = TimeSpan.FromHours(2);
        var retry = await bench.StartAsync(purchaseId, "d01", attempt: 2);
        var (status, order) = await bench.PlaceOrderAsync("d01", purchaseId);
        Assert.Equal(202, status);
        await bench.RecordAsync(retry, 2, "d01", PurchaseStatus.Pending, order);
        bench.Time.Advance(TimeSpan.FromMinutes(1));

        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, pass.OrphansRefunded);
        Assert.Equal(0, d01.RefundsMade);
        Assert.Equal(PurchaseStatus.Pending, (await bench.RowAsync(purchaseId)).Status);
        Assert.Equal(OrphanStatus.Adopted, await OrphanStatusAsync(bench, purchaseId, "d01"));
    }

    [Fact]
    public async Task RunOnce_OrphansAtADeadDistributor_SkipsItAfterFailuresInARow()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        for (var i = 0; i < 5; i++)
        {
            await bench.RecordAsync(ReconciliationBench.NewPurchaseId(), "d01", PurchaseStatus.Pending, order: null, ambiguous: true);
        }

        var reconciler = bench.Reconciler();
        bench.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(5, (await reconciler.RunOnceAsync(CancellationToken.None)).NothingCharged); // released, each watched and asked once
        await bench.Simulators["d01"].SetDownAsync(DownMode.RefuseConnections);
        bench.Time.Advance(TimeSpan.FromMinutes(1));

        await reconciler.RunOnceAsync(CancellationToken.None);

        // Three failed look-ups in a row (FailuresBeforeSkippingDistributor), then the rest wait for the next pass.
        Assert.Equal(5L, await bench.ScalarAsync<long>("SELECT COUNT(*) FROM orphan_orders WHERE status = 'watching'"));
        Assert.Equal(3L, await bench.ScalarAsync<long>("SELECT COUNT(*) FROM orphan_orders WHERE checks = 2"));
    }

    /// <summary>Passes until the purchase bound to d01 is released past the deadline with no order there: the key is free.</summary>
    private static async Task ReleasedAfterDeadlineAsync(ReconciliationBench bench, Meterai.Gateway.Reconciliation.Reconciler reconciler, string purchaseId, bool adoptFirst)
    {
        if (adoptFirst)
        {
            bench.Time.Advance(TimeSpan.FromMinutes(2));
            await reconciler.RunOnceAsync(CancellationToken.None);
            Assert.Equal(PurchaseStatus.Pending, (await bench.RowAsync(purchaseId)).Status); // still bound to d01
        }

        bench.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, (await reconciler.RunOnceAsync(CancellationToken.None)).NothingCharged);
        Assert.Equal(PurchaseStatus.Unavailable, (await bench.RowAsync(purchaseId)).Status);
    }

    /// <summary>The applicant's retry with the same key, sold and issued by d02.</summary>
    private static async Task SoldAtD02Async(ReconciliationBench bench, string purchaseId)
    {
        var retry = await bench.StartAsync(purchaseId, "d02", attempt: 2);
        var (status, order) = await bench.PlaceOrderAsync("d02", purchaseId);
        Assert.Equal(201, status);
        await bench.RecordAsync(retry, 2, "d02", PurchaseStatus.Issued, order);
    }

    private static Task<string?> OrphanStatusAsync(ReconciliationBench bench, string purchaseId, string distributorId) =>
        bench.ScalarAsync<string>(
            "SELECT status FROM orphan_orders WHERE purchase_id = @purchaseId AND distributor_id = @distributorId", new { purchaseId, distributorId });
}

public sealed class OrphanSweepSqliteTests() : OrphanSweepTests(LedgerProviders.Sqlite);

public sealed class OrphanSweepPostgresTests() : OrphanSweepTests(LedgerProviders.Postgres);
