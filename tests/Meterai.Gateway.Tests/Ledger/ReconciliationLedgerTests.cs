using Dapper;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Tests.Reconciliation;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>The ledger side of reconciliation: what is due, guarded writes, and the open counts for metrics.</summary>
public abstract class ReconciliationLedgerTests(string provider)
{
    [Fact]
    public async Task ClaimCheckAsync_TwoPassesReadSameRow_OnlyFirstClaims()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var (purchaseId, _) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(1), OrderStatus.Issued);
        var now = bench.Time.GetUtcNow();
        var seenByFirst = Assert.Single(await bench.ReconciliationLedger.FindDueAsync(now, now, 10, CancellationToken.None));
        var seenBySecond = Assert.Single(await bench.ReconciliationLedger.FindDueAsync(now, now, 10, CancellationToken.None));

        var first = await bench.ReconciliationLedger.ClaimCheckAsync(seenByFirst, now.AddSeconds(30), CancellationToken.None);
        var second = await bench.ReconciliationLedger.ClaimCheckAsync(seenBySecond, now.AddSeconds(99), CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(1, row.Checks);
        Assert.Equal(now.AddSeconds(30).ToUnixTimeMilliseconds(), row.NextCheckAt);
    }

    [Fact]
    public async Task ResolveAsync_StatusChangedSinceRead_ChangesNothing()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var (purchaseId, order) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(1), OrderStatus.Failed);
        var now = bench.Time.GetUtcNow();
        var seen = Assert.Single(await bench.ReconciliationLedger.FindDueAsync(now, now, 10, CancellationToken.None));
        var refundDue = new PurchaseResolution(purchaseId, PurchaseStatus.Pending, seen.UpdatedAt, PurchaseStatus.RefundDue, now.AddSeconds(1), order.OrderId, NextCheckAt: now.AddSeconds(1));
        var issued = new PurchaseResolution(purchaseId, PurchaseStatus.Pending, seen.UpdatedAt, PurchaseStatus.Issued, now.AddSeconds(2), order.OrderId, Serials: ["EMT-X"]);

        var firstApplied = await bench.ReconciliationLedger.ResolveAsync(refundDue, CancellationToken.None);
        var secondApplied = await bench.ReconciliationLedger.ResolveAsync(issued, CancellationToken.None);

        Assert.True(firstApplied);
        Assert.False(secondApplied);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.RefundDue, row.Status);
        Assert.Null(row.Serials);
        Assert.Null(row.IssuedAt);
        Assert.Equal(now.AddSeconds(1).ToUnixTimeMilliseconds(), row.RefundDueAt);
    }

    [Fact]
    public async Task FindDueAsync_MixedRows_OnlyDueOpenOnesOldestFirstWithinLimit()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        var first = (await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(1), OrderStatus.Issued)).PurchaseId;
        bench.Time.Advance(TimeSpan.FromSeconds(1));
        var second = (await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(1), OrderStatus.Issued)).PurchaseId;
        bench.Time.Advance(TimeSpan.FromSeconds(1));
        var inProgress = ReconciliationBench.NewPurchaseId();
        await bench.StartAsync(inProgress, "d01");
        var issued = ReconciliationBench.NewPurchaseId();
        await bench.RecordAsync(issued, "d01", PurchaseStatus.Issued, new Meterai.Gateway.Distributors.DistributorOrder("o-1", "issued", 1, 10_000, ["EMT-1"], issued));
        var now = bench.Time.GetUtcNow();

        var all = await bench.ReconciliationLedger.FindDueAsync(now, now.AddMinutes(-1), 10, CancellationToken.None);
        var limited = await bench.ReconciliationLedger.FindDueAsync(now, now.AddMinutes(-1), 1, CancellationToken.None);
        var withStale = await bench.ReconciliationLedger.FindDueAsync(now, now, 10, CancellationToken.None);

        Assert.Equal([first, second], all.Select(p => p.PurchaseId));
        Assert.Equal([first], limited.Select(p => p.PurchaseId));
        Assert.Equal([first, second, inProgress], withStale.Select(p => p.PurchaseId));
    }

    [Fact]
    public async Task CountOpenAsync_MixedRows_CountsChargedOrPossiblyChargedAndRefundsDue()
    {
        await using var bench = await ReconciliationBench.StartAsync(provider, Fleets.Seller("d01"));
        await bench.BuyStuckPendingAsync("d01", TimeSpan.FromHours(1), OrderStatus.Issued);                    // pending: open
        var failed = (await bench.BuyStuckPendingAsync("d01", TimeSpan.FromMinutes(1), OrderStatus.Failed)).PurchaseId;
        await bench.StartAsync(ReconciliationBench.NewPurchaseId(), "d01");                                      // stale in_progress, sent: open
        await bench.StartAsync(ReconciliationBench.NewPurchaseId(), distributorId: null);                        // stale in_progress, never sent: not charged
        bench.Time.Advance(TimeSpan.FromMinutes(2));
        await bench.StartAsync(ReconciliationBench.NewPurchaseId(), "d01");                                      // a live request: not yet
        var issued = ReconciliationBench.NewPurchaseId();
        await bench.RecordAsync(issued, "d01", PurchaseStatus.Issued, new Meterai.Gateway.Distributors.DistributorOrder("o-2", "issued", 1, 10_000, ["EMT-2"], issued));
        var now = bench.Time.GetUtcNow();
        var seen = (await bench.ReconciliationLedger.FindDueAsync(now, now.AddMinutes(-1), 10, CancellationToken.None)).Single(p => p.PurchaseId == failed);
        Assert.True(await bench.ReconciliationLedger.ResolveAsync(new PurchaseResolution(failed, PurchaseStatus.Pending, seen.UpdatedAt, PurchaseStatus.RefundDue, now, NextCheckAt: now), CancellationToken.None));

        var counts = await bench.ReconciliationLedger.CountOpenAsync(now.AddMinutes(-1), CancellationToken.None);

        Assert.Equal((3L, 1L), counts);
    }
}

public sealed class ReconciliationLedgerSqliteTests() : ReconciliationLedgerTests(LedgerProviders.Sqlite)
{
    [Fact]
    public async Task FindDueSql_CurrentSchema_ReadsOnlyTheOpenPurchasesIndex()
    {
        await using var ledger = await TestLedger.MigratedAsync(LedgerProviders.Sqlite);
        await using var connection = await ledger.Database.OpenAsync(CancellationToken.None);

        var steps = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + ReconciliationLedger.FindDueSql, new { now = 0L, staleBefore = 0L, limit = 10 })).Select(step => step.Detail).ToList();

        // A pass reads the open purchases through their partial index, never the whole table, however many purchases it holds.
        Assert.Contains(steps, step => step.Contains("USING INDEX ix_purchases_due", StringComparison.Ordinal));
        Assert.DoesNotContain("SCAN purchases", steps);
    }
}

public sealed class ReconciliationLedgerPostgresTests() : ReconciliationLedgerTests(LedgerProviders.Postgres);
