using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Admission;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;

namespace Meterai.Gateway.Tests.Cluster;

/// <summary>
/// Three real gateway processes on one PostgreSQL ledger, in front of one simulated fleet, under a
/// small surge; one is killed with SIGKILL mid-surge. Run alone, as the other surge test is.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class MultiInstanceTests
{
    private const int Purchases = 120;
    private const int KillAfter = 40;

    [Fact]
    public async Task Surge_ThreeGatewaysOneKilledMidSurge_NothingLostOrChargedTwiceJobsOnceHealthSharedLimitsHeld()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        var serviceTime = TimeSpan.FromMilliseconds(100);
        await using var fleet = await SimulatedFleet.StartAsync(
            [Fleets.Seller("d01", capacity: 4, serviceTime: serviceTime), Fleets.Seller("d02", capacity: 4, serviceTime: serviceTime), Fleets.Seller("d03", capacity: 4)]);
        var directory = Directory.CreateTempSubdirectory("meterai-cluster-test-");
        var registry = Path.Combine(directory.FullName, "registry.json");
        await File.WriteAllTextAsync(registry, fleet.ToRegistryJson());
        var settings = new Dictionary<string, string?>(ledger.Settings)
        {
            ["Distributors:File"] = registry,
            ["Probing:IntervalSeconds"] = "1",
            ["Probing:TimeoutSeconds"] = "0.5",
            ["Probing:SharedRefreshSeconds"] = "0.2",
            ["Scheduling:CheckinIntervalSeconds"] = "1",
            ["Reconciliation:IntervalSeconds"] = "1",
            ["Reconciliation:BackoffSeconds:0"] = "0",
            ["Reconciliation:BackoffSeconds:1"] = "1",

            // A purchase the killed gateway sent stays bound to its distributor until the deadline
            // (issue 8, item 2): a short one lets "not found" end it refunded-or-free within the test.
            ["Reconciliation:DeliveryDeadlineMinutes"] = "0.25",

            // Short purchase budgets, so rows the killed gateway left in_progress are stale (and adopted) within seconds.
            ["Purchasing:TotalBudgetSeconds"] = "3",
            ["Purchasing:AttemptTimeoutSeconds"] = "2",
            ["Purchasing:LookupTimeoutSeconds"] = "0.5",
            ["Purchasing:LookupRetries"] = "1",
        };
        var gateways = new List<GatewayProcess>();
        try
        {
            // All three at the same moment: they race for the migrations.
            gateways.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => GatewayProcess.StartAsync(settings.ToDictionary(s => s.Key, s => s.Value ?? "")))));
            await Eventually.TrueAsync(() => gateways.All(g => g.Output.Contains("Cluster: 3 live gateways", StringComparison.Ordinal)), "every gateway sees three", TimeSpan.FromSeconds(60));
            var started = DateTimeOffset.UtcNow;
            Assert.Single(gateways, g => g.Output.Contains("Ledger migration 0001_purchases applied", StringComparison.Ordinal));

            // Health is shared: d03 goes down, and every instance says so, whichever one probed.
            await fleet["d03"].SetDownAsync(DownMode.ServiceUnavailable);
            await Eventually.TrueAsync(() => gateways.All(g => Selling(g) == 2), "every gateway sees d03 down", TimeSpan.FromSeconds(30));

            // The surge: about twice the fleet's 80 a second, round robin, one gateway SIGKILLed a third of the way in.
            var answers = new Task<(string Key, HttpStatusCode Status, string Body)>[Purchases];
            for (var i = 0; i < Purchases; i++)
            {
                if (i == KillAfter)
                {
                    await gateways[2].KillAsync();
                }

                answers[i] = BuyAsync(gateways, $"cluster-{i:D4}", i % 3);
                await Task.Delay(6);
            }

            var final = await Task.WhenAll(answers);
            var killedAt = DateTimeOffset.UtcNow;

            // Nothing left open: the survivors' reconciliation (once per schedule, on one of them) settles what the dead one left.
            await Eventually.TrueAsync(
                () => Scalar(ledger, "SELECT COUNT(*) FROM purchases WHERE status IN ('in_progress', 'pending', 'refund_due')") == 0,
                "every purchase final",
                TimeSpan.FromSeconds(120));

            await using var connection = await ledger.Database.OpenAsync(CancellationToken.None);
            var rows = (await connection.QueryAsync<(string PurchaseId, string Key, string Status)>(
                "SELECT purchase_id, idempotency_key, status FROM purchases")).ToList();
            var orders = fleet.Distributors.SelectMany(d => d.Orders).ToList();

            // Nothing lost: every charge at a distributor belongs to a purchase that ended delivered or refunded.
            Assert.All(orders, order =>
            {
                var row = Assert.Single(rows, r => r.PurchaseId == order.IdempotencyKey);
                Assert.True(row.Status is "issued" or "refunded", $"{row.PurchaseId} is {row.Status}");
                Assert.Equal(row.Status == "issued" ? OrderStatus.Issued : OrderStatus.Refunded, order.Status);
            });

            // Nothing charged twice: one purchase per key, at most one order per purchase.
            Assert.Equal(rows.Count, rows.Select(r => r.Key).Distinct().Count());
            Assert.All(rows, r => Assert.True(orders.Count(o => o.IdempotencyKey == r.PurchaseId) <= 1, $"{r.PurchaseId} charged twice"));
            Assert.All(final.Where(f => f.Status == HttpStatusCode.Created), f => Assert.Equal("issued", rows.Single(r => r.Key == f.Key).Status));
            Assert.Contains(final, f => f.Status == HttpStatusCode.Created);

            // No distributor ever over its limit, across all three gateways together.
            Assert.All(fleet.Distributors, d => Assert.InRange(d.MaxObservedConcurrency, 0, d.Options.Capacity));

            // Each job once per schedule: about one probe round a second across the cluster (three
            // unclustered schedulers would make three), and rounds go on after the kill (failover).
            var window = DateTimeOffset.UtcNow - started;
            var rounds = Scalar(ledger, $"SELECT COUNT(*) FROM probes WHERE distributor_id = 'd01' AND probed_at >= {started.ToUnixTimeMilliseconds()}");
            Assert.InRange(rounds, 1, (long)(1.5 * window.TotalSeconds) + 3);
            await Eventually.TrueAsync(
                () => Scalar(ledger, $"SELECT COUNT(*) FROM probes WHERE distributor_id = 'd01' AND probed_at > {killedAt.AddSeconds(1).ToUnixTimeMilliseconds()}") > 0,
                "probing goes on after the kill",
                TimeSpan.FromSeconds(30));

            // The survivors still agree on health.
            Assert.All(gateways.Take(2), g => Assert.Equal(2, Selling(g)));
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }

            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// One applicant's purchase, as a load balancer and a patient client make it: a gateway that
    /// is gone is skipped for the next, and a 409 (another instance holds the key) is asked again
    /// until a final answer.
    /// </summary>
    private static async Task<(string Key, HttpStatusCode Status, string Body)> BuyAsync(List<GatewayProcess> gateways, string key, int first)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        for (var attempt = 0; ; attempt++)
        {
            var alive = gateways.Where(g => !g.HasExited).ToList();
            var gateway = attempt == 0 ? gateways[first] : alive[(first + attempt) % alive.Count];
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases")
            {
                Content = JsonContent.Create(new { quantity = 1, applicantRef = "NIK-3171234567890001" }),
            };
            request.Headers.Add("Idempotency-Key", key);
            try
            {
                using var response = await gateway.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var retry = response.StatusCode is HttpStatusCode.Conflict && DateTimeOffset.UtcNow < deadline;
                if (!retry)
                {
                    return (key, response.StatusCode, body);
                }
            }
            catch (HttpRequestException) when (DateTimeOffset.UtcNow < deadline)
            {
                // The instance died: the load balancer sends the same request on to another.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static int Selling(GatewayProcess gateway)
    {
        using var status = JsonDocument.Parse(gateway.Client.GetStringAsync("/api/status").GetAwaiter().GetResult());
        return status.RootElement.GetProperty("sellingDistributors").GetInt32();
    }

    private static long Scalar(TestLedger ledger, string sql)
    {
        using var connection = ledger.Database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        return connection.ExecuteScalar<long>(sql);
    }
}
