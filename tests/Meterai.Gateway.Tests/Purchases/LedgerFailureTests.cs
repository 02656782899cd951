using System.Net;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>
/// The ledger fails under a real gateway (a SQLite trigger refuses one write): a charged applicant
/// still hears what the distributor said, a recorded answer is never downgraded, and a failure
/// before anything was sent is an honest 503, never a 500.
/// </summary>
public sealed class LedgerFailureTests
{
    [Fact]
    public async Task Purchase_LedgerCannotRecordIssuedAnswer_Answers201WithSerialsAndNeverDowngrades()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        await gateway.QueryLedgerAsync<long>(
            """
            CREATE TRIGGER injected_fault BEFORE UPDATE OF status ON purchases WHEN NEW.status = 'issued'
            BEGIN SELECT RAISE(ABORT, 'injected ledger fault'); END;
            SELECT 1;
            """);

        using var response = await gateway.PurchaseAsync("ledger-fault-issued");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await GatewayHarness.JsonAsync(response);
        Assert.Equal("issued", body.GetProperty("status").GetString());
        var order = Assert.Single(gateway.Fleet["d01"].Orders);
        Assert.Equal(order.Serials, body.GetProperty("serials").EnumerateArray().Select(s => s.GetString()!).ToArray());

        // Not rewritten as pending and ambiguous without an order: the row still says where the
        // order is, for reconciliation to adopt by key.
        var purchaseId = body.GetProperty("purchaseId").GetString();
        Assert.Equal("in_progress", await gateway.QueryLedgerAsync<string>("SELECT status FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId }));
        Assert.Equal("d01", await gateway.QueryLedgerAsync<string>("SELECT distributor_id FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId }));
        Assert.Equal(0L, await gateway.QueryLedgerAsync<long>("SELECT ambiguous FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId }));
    }

    [Fact]
    public async Task Purchase_ClaimWithAttemptFails_Answers503WithRetryAfterAndWritesAndSendsNothing()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        await gateway.QueryLedgerAsync<long>(
            """
            CREATE TRIGGER injected_fault BEFORE INSERT ON purchase_attempts
            BEGIN SELECT RAISE(ABORT, 'injected ledger fault'); END;
            SELECT 1;
            """);

        using var response = await gateway.PurchaseAsync("ledger-fault-attempt");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, gateway.TotalOrders);

        // The claim and the first attempt are one write: the failed attempt took the claim with it.
        Assert.Equal(0L, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchases WHERE idempotency_key = 'ledger-fault-attempt'"));
    }
    [Fact]
    public async Task Purchase_KeyExistsCheckFailsUnderSurge_Answers503WithRetryAfterProblem()
    {
        // One slot, no ready slot and a queue of one: a slow order holds the slot, a second waits,
        // so a third newcomer is refused by admission, which first asks the ledger whether its key is known.
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", capacity: 1, serviceTime: TimeSpan.FromSeconds(3))],
            new Dictionary<string, string?>
            {
                ["Admission:MaxQueueLength"] = "1",
                ["Admission:MaxWaitSeconds"] = "30",
                ["Capacity:Learning"] = "false",
                ["Capacity:ReadyShare"] = "0",
            });
        var admission = gateway.Services.GetRequiredService<AdmissionControl>();
        using var holding = new CancellationTokenSource();
        var first = gateway.PurchaseAsync("surge-holds-slot", cancellationToken: holding.Token);
        await Eventually.TrueAsync(() => gateway.Fleet["d01"].CurrentConcurrency == 1, "the first order to hold the slot");
        var second = gateway.PurchaseAsync("surge-waits", cancellationToken: holding.Token);
        await Eventually.TrueAsync(() => admission.Length == 1, "the second purchase to queue");
        Assert.NotNull(admission.RefusalNow());

        // The key-exists read fails: the table it reads is gone.
        await gateway.QueryLedgerAsync<long>("ALTER TABLE purchases RENAME TO purchases_hidden; SELECT 1;");
        using var response = await gateway.PurchaseAsync("surge-newcomer");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a 503 without Retry-After");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(503, (await GatewayHarness.JsonAsync(response)).GetProperty("status").GetInt32());
        await gateway.QueryLedgerAsync<long>("ALTER TABLE purchases_hidden RENAME TO purchases; SELECT 1;");
        Assert.Equal(0L, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchases WHERE idempotency_key = 'surge-newcomer'"));
        await holding.CancelAsync();
        await Task.WhenAll(first, second).ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}
