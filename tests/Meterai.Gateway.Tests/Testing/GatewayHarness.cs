using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// A real gateway on Kestrel (loopback, ephemeral port) with a real SQLite ledger file, in front
/// of a real simulated fleet on loopback. Probing runs once at start and then waits an hour, so a
/// test decides when the gateway's picture of the fleet goes stale.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private readonly Factory _factory;
    private readonly DirectoryInfo _directory;

    private GatewayHarness(SimulatedFleet fleet, Factory factory, DirectoryInfo directory, string ledgerPath, CapturedLogs logs)
    {
        Fleet = fleet;
        _factory = factory;
        _directory = directory;
        LedgerPath = ledgerPath;
        Logs = logs;
        Client = factory.CreateClient();
    }

    public SimulatedFleet Fleet { get; }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public string LedgerPath { get; }

    public IServiceProvider Services => _factory.Services;

    /// <param name="editRegistry">Changes the registry JSON before the gateway reads it (a wrong key, say).</param>
    public static async Task<GatewayHarness> StartAsync(
        IEnumerable<SimulatedDistributorOptions> distributors,
        IDictionary<string, string?>? settings = null,
        Func<string, string>? editRegistry = null)
    {
        var fleet = await SimulatedFleet.StartAsync(distributors);
        var directory = Directory.CreateTempSubdirectory("meterai-gateway-test-");
        var registry = Path.Combine(directory.FullName, "registry.json");
        var registryJson = fleet.ToRegistryJson();
        await File.WriteAllTextAsync(registry, editRegistry is null ? registryJson : editRegistry(registryJson));
        var ledgerPath = Path.Combine(directory.FullName, "ledger.db");

        var all = new Dictionary<string, string?>
        {
            ["Distributors:File"] = registry,
            ["ConnectionStrings:Ledger"] = $"Data Source={ledgerPath}",
            ["Probing:IntervalSeconds"] = "3600",
            ["Probing:TimeoutSeconds"] = "2",
            ["Purchasing:AttemptTimeoutSeconds"] = "5",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var logs = new CapturedLogs();
        var factory = new Factory(all, logs);
        factory.UseKestrel(0);
        factory.StartServer();
        var harness = new GatewayHarness(fleet, factory, directory, ledgerPath, logs);
        await harness.WaitForFirstProbesAsync();
        return harness;
    }

    public Task<HttpResponseMessage> PurchaseAsync(
        string idempotencyKey, int quantity = 1, string applicantRef = "NIK-3171234567890001", CancellationToken cancellationToken = default) =>
        PurchaseRawAsync(idempotencyKey, JsonSerializer.Serialize(new { quantity, applicantRef }), cancellationToken);

    public Task<HttpResponseMessage> PurchaseRawAsync(string? idempotencyKey, string body, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return Client.SendAsync(request, cancellationToken);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public async Task<T> QueryLedgerAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new SqliteConnection($"Data Source={LedgerPath}");
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException("no value");
    }

    public DistributorState State(string distributorId) =>
        Services.GetRequiredService<DistributorFleet>().TryGet(distributorId, out var state) ? state : throw new ArgumentException(distributorId);

    /// <summary>One probe round now, as the scheduled probe job would run it.</summary>
    public Task ProbeNowAsync() => Services.GetRequiredService<Meterai.Gateway.Probing.FleetProbe>().ProbeAllAsync(CancellationToken.None);

    public int TotalOrders => Fleet.Distributors.Sum(d => d.OrdersCreated);

    /// <summary>Orders that any simulated distributor created for this purchase (its id is the distributor's Idempotency-Key).</summary>
    public int OrdersFor(string purchaseId) =>
        Fleet.Distributors.Sum(d => d.Orders.Count(o => o.IdempotencyKey == purchaseId));

    public Task<long> CountPurchasesAsync() => QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchases");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await Fleet.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a pooled connection on another thread; the OS temp cleaner gets it.
        }
    }

    private async Task WaitForFirstProbesAsync()
    {
        var fleet = Services.GetRequiredService<DistributorFleet>();
        await Eventually.TrueAsync(() => fleet.IsLoaded && fleet.All.All(d => d.LastProbedAt is not null), "the first probe round");
    }

    private sealed class Factory(IDictionary<string, string?> settings, CapturedLogs logs) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));

            // Seeded, so which distributor the load balancer samples first is the same on every run.
            builder.ConfigureTestServices(services => services.AddSingleton(new Random(20240901)));
        }
    }
}
