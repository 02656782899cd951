using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Data.Sqlite;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>
/// The purchase state machine killed at its failure points: a real gateway process gets SIGKILL
/// while purchases are in flight against real simulated distributors, is started again on the same
/// SQLite ledger, and the applicants retry with their keys. Then, at the simulators: every charged
/// order is delivered to the purchase an applicant holds or refunded, no purchase holds two live
/// orders, and no order is unknown to the ledger unless refunded.
/// </summary>
/// <remarks>The kill is timed by watching the ledger file (or the simulators), never by sleeping.</remarks>
// Alone: real gateway processes timed against ledger state starve when the suite runs beside them.
[Collection(Admission.RunsAlone.Name)]
public sealed class CrashTests : IAsyncLifetime
{
    private const int Purchases = 6;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meterai-crash-test-");

    public enum FailurePoint
    {
        AfterClaim,
        AfterAttemptRecord,
        AfterDistributorCharged,
        DuringFailover,
        DuringReconciliationPass,
        SlowDistributorStillWorking,
    }

    private string LedgerPath => Path.Combine(_directory.FullName, "ledger.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner gets it.
        }

        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(FailurePoint.AfterClaim)]
    [InlineData(FailurePoint.AfterAttemptRecord)]
    [InlineData(FailurePoint.AfterDistributorCharged)]
    [InlineData(FailurePoint.DuringFailover)]
    [InlineData(FailurePoint.DuringReconciliationPass)]
    [InlineData(FailurePoint.SlowDistributorStillWorking)]
    public async Task Purchase_GatewayKilledAtFailurePoint_EveryChargeDeliveredOrRefundedOnce(FailurePoint point)
    {
        await using var fleet = await SimulatedFleet.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02")]);
        Configure(fleet, point);
        var settings = await SettingsAsync(fleet);
        var keys = Enumerable.Range(0, Purchases).Select(i => $"crash-{point}-{i}").ToArray();

        // Disposed on every path, so a test that fails before the kill leaves no gateway running.
        await using (var first = await GatewayProcess.StartAsync(settings))
        {
            var inFlight = keys.Select(key => TryPurchaseAsync(first.Client, key)).ToArray();
            await Eventually.TrueAsync(() => ReachedAsync(point, fleet).GetAwaiter().GetResult(), $"the failure point {point}", TimeSpan.FromSeconds(45));
            await first.KillAsync();
            await Task.WhenAll(inFlight);
        }

        Heal(fleet, point);
        await using var second = await GatewayProcess.StartAsync(settings);
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            held[key] = await RetryUntilAnsweredAsync(second.Client, key);
        }

        await Eventually.TrueAsync(() => OpenPurchases() == 0, "reconciliation to settle every purchase", TimeSpan.FromSeconds(50));
        AssertMoney(fleet, held);
    }

    /// <summary>The quirk each failure point runs against.</summary>
    private static void Configure(SimulatedFleet fleet, FailurePoint point)
    {
        var (d01, d02) = (fleet["d01"].Behavior, fleet["d02"].Behavior);
        switch (point)
        {
            case FailurePoint.AfterClaim:
            case FailurePoint.AfterAttemptRecord:
                d01.Latency = d02.Latency = TimeSpan.FromSeconds(3); // nothing charged yet when the gateway dies
                break;
            case FailurePoint.AfterDistributorCharged:
                d01.ChargeThenFailRate = d02.ChargeThenFailRate = 1;
                d01.ChargeThenFailAnswer = d02.ChargeThenFailAnswer = FailureAnswer.DropConnection;
                d01.Latency = d02.Latency = TimeSpan.FromMilliseconds(1);
                break;
            case FailurePoint.DuringFailover:
                d01.Idle = IdleMode.RefuseOrders;
                d02.Latency = TimeSpan.FromSeconds(2);
                break;
            case FailurePoint.DuringReconciliationPass:
                d01.StuckPendingRate = d02.StuckPendingRate = 1;
                d01.StuckPendingFor = d02.StuckPendingFor = TimeSpan.FromSeconds(4);
                d01.StuckPendingOutcome = OrderStatus.Issued;
                d02.StuckPendingOutcome = OrderStatus.Failed;
                break;
            case FailurePoint.SlowDistributorStillWorking:
                d01.StuckPendingRate = d02.StuckPendingRate = 0.5;
                d01.StuckPendingFor = d02.StuckPendingFor = TimeSpan.FromSeconds(3);
                d01.Latency = d02.Latency = TimeSpan.FromSeconds(2);
                d01.ChargeThenFailRate = 0.5;
                d01.ChargeThenFailAnswer = FailureAnswer.Status504;
                break;
        }
    }

    /// <summary>After the restart the distributors answer promptly again, so the test does not wait out their quirks.</summary>
    private static void Heal(SimulatedFleet fleet, FailurePoint point)
    {
        foreach (var distributor in fleet.Distributors)
        {
            distributor.Behavior.Latency = TimeSpan.Zero;
            if (point != FailurePoint.DuringFailover)
            {
                distributor.Behavior.Idle = IdleMode.None;
            }
        }
    }

    private async Task<bool> ReachedAsync(FailurePoint point, SimulatedFleet fleet)
    {
        if (!File.Exists(LedgerPath))
        {
            return false;
        }

        try
        {
            await using var connection = new SqliteConnection($"Data Source={LedgerPath};Mode=ReadOnly;Pooling=False");
            var claims = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM purchases");
            var attempts = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM purchase_attempts");
            var orders = fleet.Distributors.Sum(d => d.OrdersCreated);
            return point switch
            {
                FailurePoint.AfterClaim => claims >= 1,
                FailurePoint.AfterAttemptRecord => attempts >= Purchases / 2,
                FailurePoint.AfterDistributorCharged => orders >= Purchases / 2,
                FailurePoint.DuringFailover => await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM purchase_attempts WHERE outcome = 'refused'") >= 1 && attempts > claims,
                FailurePoint.DuringReconciliationPass => await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM purchases WHERE checks > 0") >= 1,
                _ => orders >= 1 && attempts >= Purchases / 2,
            };
        }
        catch (SqliteException)
        {
            return false; // the schema is not there yet, or the writer holds a lock
        }
    }

    private long OpenPurchases()
    {
        using var connection = new SqliteConnection($"Data Source={LedgerPath};Mode=ReadOnly;Pooling=False");
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM purchases WHERE status IN ('in_progress', 'pending', 'refund_due')");
    }

    /// <summary>Every charged order belongs to the purchase its applicant holds and is issued there, or it is refunded.</summary>
    private void AssertMoney(SimulatedFleet fleet, Dictionary<string, string> held)
    {
        using var connection = new SqliteConnection($"Data Source={LedgerPath};Mode=ReadOnly;Pooling=False");
        var rows = connection.Query<(string PurchaseId, string Status, string? DistributorId, string? OrderId)>(
            "SELECT purchase_id, status, distributor_id, order_id FROM purchases").ToDictionary(r => r.PurchaseId, StringComparer.Ordinal);
        var orders = fleet.Distributors.SelectMany(d => d.Orders.Select(o => (Distributor: d.Id, Order: o))).ToList();

        foreach (var (distributor, order) in orders)
        {
            if (order.Status == OrderStatus.Refunded)
            {
                continue;
            }

            Assert.True(rows.TryGetValue(order.IdempotencyKey, out var row), $"order {order.OrderId} at {distributor} is unknown to the ledger and not refunded");
            Assert.Contains(order.IdempotencyKey, held.Values);
            Assert.Equal(("issued", distributor, order.OrderId), (row.Status, row.DistributorId, row.OrderId));
            Assert.Equal(OrderStatus.Issued, order.Status);
        }

        foreach (var group in orders.Where(o => o.Order.Status != OrderStatus.Refunded).GroupBy(o => o.Order.IdempotencyKey))
        {
            Assert.True(group.Count() == 1, $"purchase {group.Key} holds {group.Count()} live orders");
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> SettingsAsync(SimulatedFleet fleet)
    {
        var registry = Path.Combine(_directory.FullName, "registry.json");
        await File.WriteAllTextAsync(registry, fleet.ToRegistryJson());
        return new Dictionary<string, string>
        {
            ["Distributors:File"] = registry,
            ["ConnectionStrings:Ledger"] = $"Data Source={LedgerPath}",
            ["Auth:DataProtectionKeysPath"] = Path.Combine(_directory.FullName, "keys"),
            // Room for every purchase from the start, so a refusal fails over at once instead of
            // waiting for the learned limit to grow (learning is not what these tests are about).
            ["Capacity:InitialLimit"] = "8",
            ["Probing:IntervalSeconds"] = "2",
            ["Probing:TimeoutSeconds"] = "1",
            ["Purchasing:AttemptTimeoutSeconds"] = "4",
            ["Purchasing:TotalBudgetSeconds"] = "4",
            ["Purchasing:LookupTimeoutSeconds"] = "1",
            ["Purchasing:LookupRetries"] = "0",
            ["Reconciliation:IntervalSeconds"] = "1",
            ["Reconciliation:DeliveryDeadlineMinutes"] = "0.25",
            ["Reconciliation:BackoffSeconds:0"] = "0",
            ["Reconciliation:BackoffSeconds:1"] = "1",
            ["Reconciliation:CallTimeoutSeconds"] = "2",
        };
    }

    private static async Task TryPurchaseAsync(HttpClient client, string key)
    {
        try
        {
            using var response = await SendAsync(client, key);
        }
        catch (HttpRequestException)
        {
            // The gateway died under it: the applicant retries after the restart.
        }
        catch (TaskCanceledException)
        {
        }
    }

    /// <summary>Retries the key as an applicant would until the gateway answers with a purchase that is final.</summary>
    private static async Task<string> RetryUntilAnsweredAsync(HttpClient client, string key)
    {
        string? purchaseId = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(50);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await SendAsync(client, key);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                purchaseId = body.GetProperty("purchaseId").GetString()!;

                // A replay repeats the answer given; the purchase itself is followed with GET.
                if (await IsFinalAsync(client, purchaseId))
                {
                    return purchaseId;
                }
            }
            else
            {
                Assert.True(response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable, $"{key}: {(int)response.StatusCode}");
            }

            await Task.Delay(250); // an applicant's retry interval, not a wait for a condition
        }

        return purchaseId ?? throw new TimeoutException($"{key} was never answered with a purchase");
    }

    private static async Task<bool> IsFinalAsync(HttpClient client, string purchaseId)
    {
        using var response = await client.GetAsync(new Uri($"/api/purchases/{purchaseId}", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode && body.GetProperty("status").GetString() is "issued" or "refunded" or "failed";
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases")
        {
            Content = JsonContent.Create(new { quantity = 1, applicantRef = "NIK-3171234567890001" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
