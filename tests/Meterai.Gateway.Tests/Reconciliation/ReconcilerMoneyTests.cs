using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Reconciliation;

/// <summary>
/// The corners where a deliverable purchase was refunded, a key freed while its order was still
/// coming, an unusable answer recorded as issued, or a departed distributor's purchases stranded.
/// </summary>
public sealed class ReconcilerMoneyTests
{
    [Fact]
    public async Task RunOnce_RetriedKeyPendingWithinItsNewTry_NotRefundedThenIssued()
    {
        await using var bench = await ReconciliationBench.StartAsync(Fleets.Seller("d01"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        var firstTry = await bench.StartAsync(purchaseId, "d01");
        Assert.True(await bench.Ledger.ReleaseAsync(firstTry, bench.Time.GetUtcNow(), CancellationToken.None)); // answered 503

        // The applicant retries long after the first try's deadline would have passed.
        bench.Time.Advance(TimeSpan.FromMinutes(31));
        var behavior = bench.Simulators["d01"].Behavior;
        behavior.StuckPendingRate = 1;
        behavior.StuckPendingFor = TimeSpan.FromMinutes(10);
        behavior.StuckPendingOutcome = OrderStatus.Issued;
        var secondTry = await bench.StartAsync(purchaseId, "d01", attempt: 2);
        var (status, order) = await bench.PlaceOrderAsync("d01", purchaseId);
        Assert.Equal(202, status);
        await bench.RecordAsync(secondTry, 2, "d01", PurchaseStatus.Pending, order);
        var reconciler = bench.Reconciler();

        var first = await reconciler.RunOnceAsync(CancellationToken.None);
        var afterFirst = await bench.RowAsync(purchaseId);
        bench.Time.Advance(TimeSpan.FromMinutes(11));
        var second = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, first.StillOpen);
        Assert.Equal(PurchaseStatus.Pending, afterFirst.Status);
        Assert.Equal(1, second.Issued);
        Assert.Equal(PurchaseStatus.Issued, (await bench.RowAsync(purchaseId)).Status);
        Assert.Equal(0, bench.Simulators["d01"].RefundsMade);
    }

    [Fact]
    public async Task RunOnce_StaleInProgressNotFoundBeforeDeadline_StaysBoundAndAdoptsTheLateOrder()
    {
        await using var bench = await ReconciliationBench.StartAsync(Fleets.Seller("d01"));
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.StartAsync(purchaseId, "d01"); // the gateway died with the order on its way to a slow distributor
        bench.Time.Advance(TimeSpan.FromMinutes(2));
        var reconciler = bench.Reconciler();

        var first = await reconciler.RunOnceAsync(CancellationToken.None);
        var bound = await bench.RowAsync(purchaseId);
        var retry = await bench.Ledger.ClaimAsync(
            new NewPurchase(ReconciliationBench.NewPurchaseId(), "key-" + purchaseId[4..], "hash", 1, ReconciliationBench.ApplicantRef, bench.Time.GetUtcNow()), CancellationToken.None);

        // The slow distributor creates and charges the order after all.
        var (status, _) = await bench.PlaceOrderAsync("d01", purchaseId);
        Assert.Equal(201, status);
        bench.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, first.NothingCharged);
        Assert.Equal(PurchaseStatus.Pending, bound.Status);
        Assert.True(bound.Ambiguous);
        Assert.Equal(ClaimKind.Replay, retry.Kind); // the key is not free: no second distributor can sell it
        Assert.Equal(202, retry.ReplayStatus);
        Assert.Equal(1, second.Issued);
        Assert.Equal(PurchaseStatus.Issued, (await bench.RowAsync(purchaseId)).Status);
    }

    [Fact]
    public async Task RunOnce_LookUpSaysIssuedWithTooFewSerials_NotIssued()
    {
        await using var bench = await ReconciliationBench.StartAsync(Fleets.Seller("d01"));
        await using var liar = await StubDistributor.StartAsync(purchaseId =>
            new DistributorOrder("ord_liar", DistributorOrderStatus.Issued, 2, 20_000, ["MT-1"], purchaseId));
        bench.Fleet.Load([new DistributorEntry("liar", "Liar", liar.BaseUrl, null, 4)], isDemo: false);
        var purchaseId = ReconciliationBench.NewPurchaseId();
        await bench.RecordAsync(purchaseId, "liar", PurchaseStatus.Pending, order: null, ambiguous: true, quantity: 2);

        var pass = await bench.Reconciler().RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, pass.Issued);
        var row = await bench.RowAsync(purchaseId);
        Assert.Equal(PurchaseStatus.Pending, row.Status);
        Assert.Empty(row.SerialList);
    }

    [Fact]
    public async Task RunOnce_DistributorRemovedFromRegistry_StillResolvedAtLastKnownAddress()
    {
        await using var bench = await ReconciliationBench.StartAsync(Fleets.Seller("d01", apiKey: "sk-d01"), Fleets.Seller("d02"));
        var (purchaseId, _) = await bench.BuyStuckPendingAsync("d01", TimeSpan.FromMinutes(5), OrderStatus.Issued);
        var reconciler = bench.Reconciler();
        Assert.Equal(1, (await reconciler.RunOnceAsync(CancellationToken.None)).StillOpen);

        var d02 = bench.Simulators["d02"];
        bench.Fleet.Load([new DistributorEntry(d02.Id, d02.Options.Name, d02.BaseUrl, d02.Options.ApiKey, d02.Options.Capacity)], isDemo: false);
        bench.Time.Advance(TimeSpan.FromMinutes(6));
        var pass = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, pass.Issued);
        Assert.Equal(PurchaseStatus.Issued, (await bench.RowAsync(purchaseId)).Status);
        Assert.Equal(0, bench.Simulators["d01"].UnauthorizedRequests);
    }

    /// <summary>A distributor whose GET /orders answers whatever the test says, on loopback Kestrel.</summary>
    private sealed class StubDistributor(WebApplication app, Uri baseUrl) : IAsyncDisposable
    {
        public Uri BaseUrl { get; } = baseUrl;

        public static async Task<StubDistributor> StartAsync(Func<string, DistributorOrder> order)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/orders", (string idempotencyKey) => Microsoft.AspNetCore.Http.Results.Text(
                JsonSerializer.Serialize(order(idempotencyKey), DistributorJsonContext.Default.DistributorOrder), "application/json"));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new StubDistributor(app, new Uri(address + "/"));
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
