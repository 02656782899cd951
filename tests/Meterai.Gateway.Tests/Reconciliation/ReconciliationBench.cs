using System.Net.Http.Json;
using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Resilience;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Reconciliation;

/// <summary>
/// A real ledger (a SQLite file or a PostgreSQL database) and a real simulated fleet on loopback, sharing one manual clock, so
/// that stuck orders settle and deadlines pass when a test says so. Purchases are written the way
/// the purchase path writes them (claim, attempt, completion) after a real POST /orders.
/// </summary>
internal sealed class ReconciliationBench : IAsyncDisposable
{
    public const string ApplicantRef = "NIK-3171234567890001";

    private readonly TestLedger _test;
    private readonly HttpClient _http = new(DistributorHttp.CreateHandler());

    private ReconciliationBench(TestLedger test, SimulatedFleet simulators, FakeNowRealTimers time)
    {
        _test = test;
        Database = test.Database;
        Ledger = new PurchaseLedger(test.Database);
        ReconciliationLedger = new ReconciliationLedger(test.Database);
        Simulators = simulators;
        Time = time;
        Fleet = new DistributorFleet();
        Fleet.Load(simulators.Distributors.Select(d => new DistributorEntry(d.Id, d.Options.Name, d.BaseUrl, d.Options.ApiKey, d.Options.Capacity)).ToArray(), isDemo: false);
    }

    public LedgerDatabase Database { get; }

    public PurchaseLedger Ledger { get; }

    public ReconciliationLedger ReconciliationLedger { get; }

    public SimulatedFleet Simulators { get; }

    public DistributorFleet Fleet { get; }

    public FakeNowRealTimers Time { get; }

    public static Task<ReconciliationBench> StartAsync(params SimulatedDistributorOptions[] distributors) =>
        StartAsync(LedgerProviders.Sqlite, distributors);

    /// <param name="provider">The ledger's <c>Ledger:Provider</c>.</param>
    public static async Task<ReconciliationBench> StartAsync(string provider, params SimulatedDistributorOptions[] distributors)
    {
        // Real timers: the simulators serve orders after a real service time and the reconciler's call timeouts must fire.
        var time = new FakeNowRealTimers();
        var test = await TestLedger.MigratedAsync(provider, time);
        try
        {
            var simulators = await SimulatedFleet.StartAsync(distributors, time, new Random(20240901));
            return new ReconciliationBench(test, simulators, time);
        }
        catch
        {
            await test.DisposeAsync();
            throw;
        }
    }

    public static ReconciliationOptions Options(Action<ReconciliationOptions>? configure = null)
    {
        var options = new ReconciliationOptions { BackoffSeconds = [0, 30, 60, 120, 300, 600], CallTimeoutSeconds = 2 };
        configure?.Invoke(options);
        return options;
    }

    public Reconciler Reconciler(ReconciliationOptions? options = null, ILogger<Reconciler>? logger = null) =>
        new(
            ReconciliationLedger,
            new OrphanLedger(Database),
            Fleet,
            new DistributorClient(_http),
            new OrderLookup(new DistributorClient(_http), LookupPipelines()),
            Microsoft.Extensions.Options.Options.Create(options ?? Options()),
            Microsoft.Extensions.Options.Options.Create(new PurchasingOptions()),
            Time,
            logger ?? NullLogger<Reconciler>.Instance);

    /// <summary>The order-lookup pipeline as the gateway registers it, from Polly's registry.</summary>
    private static ResiliencePipelines LookupPipelines()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Prometheus.Metrics.NewCustomRegistry());
        services.AddSingleton(new DistributorFleet());
        services.AddSingleton<Meterai.Gateway.Observability.GatewayMetrics>();
        services.AddGatewayResilience();
        services.AddGatewayPipeline(ResiliencePipelines.OrderLookup, (pipeline, _) => OrderLookup.Configure(pipeline, new PurchasingOptions()));
        return services.BuildServiceProvider().GetRequiredService<ResiliencePipelines>();
    }

    public static string NewPurchaseId() => "pur_" + Guid.NewGuid().ToString("N");

    /// <summary>POST /orders at the distributor with the purchase id as Idempotency-Key, as the purchase route sends it.</summary>
    public async Task<(int Status, DistributorOrder? Order)> PlaceOrderAsync(string distributorId, string purchaseId, int quantity = 1)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Simulators[distributorId].BaseUrl, "orders"))
        {
            Content = JsonContent.Create(new { quantity, applicantRef = ApplicantRef }),
        };
        request.Headers.Add("Idempotency-Key", purchaseId);
        if (Simulators[distributorId].Options.ApiKey is { } key)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await _http.SendAsync(request);
        var order = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<DistributorOrder>() : null;
        return ((int)response.StatusCode, order);
    }

    /// <summary>The ledger row the purchase path leaves for an answered attempt.</summary>
    public async Task RecordAsync(string purchaseId, string distributorId, string status, DistributorOrder? order, bool ambiguous = false, int quantity = 1)
    {
        var purchaseTry = await StartAsync(purchaseId, distributorId, quantity);
        await RecordAsync(purchaseTry, 1, distributorId, status, order, ambiguous, quantity);
    }

    /// <summary>The answer of attempt <paramref name="attempt"/> of a try, as the purchase path records it.</summary>
    public async Task RecordAsync(PurchaseTry purchaseTry, int attempt, string distributorId, string status, DistributorOrder? order, bool ambiguous = false, int quantity = 1)
    {
        var view = PurchaseView.Of(purchaseTry.PurchaseId, status, distributorId, order?.OrderId, quantity, order?.Amount, order?.Serials);
        await Ledger.CompleteAsync(
            new PurchaseCompletion(
                purchaseTry,
                view,
                1,
                ambiguous ? "ambiguous" : status,
                ambiguous ? 504 : 202,
                ambiguous,
                status == PurchaseStatus.Issued ? 201 : 202,
                PurchaseAnswers.Serialize(view),
                Time.GetUtcNow()) with { Attempt = attempt },
            CancellationToken.None);
    }

    /// <summary>A claimed purchase; with a distributor, its first attempt is written as about to leave (what a gateway that died mid-request leaves).</summary>
    /// <remarks>Claiming a key whose purchase is unavailable starts a new try of it (then pass the next <paramref name="attempt"/>).</remarks>
    public async Task<PurchaseTry> StartAsync(string purchaseId, string? distributorId, int quantity = 1, int attempt = 1)
    {
        var at = Time.GetUtcNow();
        var claim = await Ledger.ClaimAsync(new NewPurchase(purchaseId, "key-" + purchaseId[4..], "hash", quantity, ApplicantRef, at), CancellationToken.None);
        Assert.Equal(ClaimKind.Claimed, claim.Kind);
        if (distributorId is not null)
        {
            Assert.True(await Ledger.StartAttemptAsync(claim.Try, attempt, distributorId, at, CancellationToken.None));
        }

        return claim.Try;
    }

    /// <summary>A pending purchase at a distributor whose orders stay pending for <paramref name="stuckFor"/>, then become <paramref name="outcome"/>.</summary>
    public async Task<(string PurchaseId, DistributorOrder Order)> BuyStuckPendingAsync(string distributorId, TimeSpan stuckFor, OrderStatus outcome)
    {
        var behavior = Simulators[distributorId].Behavior;
        behavior.StuckPendingRate = 1;
        behavior.StuckPendingFor = stuckFor;
        behavior.StuckPendingOutcome = outcome;
        var purchaseId = NewPurchaseId();
        var (status, order) = await PlaceOrderAsync(distributorId, purchaseId);
        Assert.Equal(202, status);
        await RecordAsync(purchaseId, distributorId, PurchaseStatus.Pending, order);
        return (purchaseId, order!);
    }

    public async Task<LedgerRow> RowAsync(string purchaseId)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await connection.QuerySingleAsync<LedgerRow>(
            """
            SELECT status AS Status, order_id AS OrderId, serials AS Serials, ambiguous AS Ambiguous, checks AS Checks,
                   next_check_at AS NextCheckAt, issued_at AS IssuedAt, refund_due_at AS RefundDueAt, refunded_at AS RefundedAt,
                   response_status AS ResponseStatus, response_body AS ResponseBody, updated_at AS UpdatedAt
            FROM purchases WHERE purchase_id = @purchaseId
            """,
            new { purchaseId });
    }

    public async Task<T?> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }

    public long Now => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Simulators.DisposeAsync();
        await _test.DisposeAsync();
    }
}

internal sealed class LedgerRow
{
    public string Status { get; set; } = "";
    public string? OrderId { get; set; }
    public string? Serials { get; set; }
    public bool Ambiguous { get; set; }
    public int Checks { get; set; }
    public long? NextCheckAt { get; set; }
    public long? IssuedAt { get; set; }
    public long? RefundDueAt { get; set; }
    public long? RefundedAt { get; set; }
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public long UpdatedAt { get; set; }

    public IReadOnlyList<string> SerialList => Serials is null ? [] : System.Text.Json.JsonSerializer.Deserialize<string[]>(Serials) ?? [];
}
