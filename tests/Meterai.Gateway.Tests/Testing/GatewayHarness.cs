using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// A real gateway on Kestrel (loopback, ephemeral port) with a real ledger (a SQLite file, or a
/// database of its own on the test PostgreSQL), in front
/// of a real simulated fleet on loopback. Probing runs once at start and then waits an hour, so a
/// test decides when the gateway's picture of the fleet goes stale. It runs the real
/// <c>Program</c>: every feature, endpoint and middleware that Program.cs wires.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private readonly Factory _factory;
    private readonly DirectoryInfo _directory;
    private TestLedger? _postgres;
    private bool _sharesFleet;

    private GatewayHarness(SimulatedFleet fleet, Factory factory, DirectoryInfo directory, string ledgerPath, CapturedLogs logs)
    {
        Fleet = fleet;
        _factory = factory;
        _directory = directory;
        LedgerPath = ledgerPath;
        Logs = logs;
        Client = factory.CreateClient();
        BaseAddress = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        RawClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
    }

    public SimulatedFleet Fleet { get; }

    public HttpClient Client { get; }

    /// <summary>Follows no redirects and keeps no cookies: tests see every answer (a 302, a Set-Cookie) as it is.</summary>
    public HttpClient RawClient { get; }

    /// <summary>Where the gateway listens (loopback, ephemeral port), for a real browser.</summary>
    public Uri BaseAddress { get; }

    public CapturedLogs Logs { get; }

    public string LedgerPath { get; }

    public IServiceProvider Services => _factory.Services;

    /// <param name="settings">Configuration on top of the harness's (<c>Auth:OperatorKeys:0</c>, say).</param>
    /// <param name="editRegistry">Changes the registry JSON before the gateway reads it (a wrong key, say).</param>
    /// <param name="services">Replaces services after Program.cs registered them (a fixed wait estimate, say).</param>
    /// <param name="ledgerProvider">The ledger's <c>Ledger:Provider</c>; for PostgreSQL the harness creates and drops a database of its own.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The configuration fails validation at start.</exception>
    public static async Task<GatewayHarness> StartAsync(
        IEnumerable<SimulatedDistributorOptions> distributors,
        IDictionary<string, string?>? settings = null,
        Func<string, string>? editRegistry = null,
        Action<IServiceCollection>? services = null,
        string ledgerProvider = Meterai.Gateway.Ledger.LedgerProviders.Sqlite)
    {
        var fleet = await SimulatedFleet.StartAsync(distributors);
        var directory = Directory.CreateTempSubdirectory("meterai-gateway-test-");
        TestLedger? postgres = null;
        try
        {
            if (ledgerProvider == Meterai.Gateway.Ledger.LedgerProviders.Postgres)
            {
                postgres = await TestLedger.CreateAsync(ledgerProvider);
                settings = new Dictionary<string, string?>(postgres.Settings.Concat(settings ?? new Dictionary<string, string?>()));
            }

            var harness = await StartAsync(fleet, directory, settings, editRegistry, services);
            harness._postgres = postgres;
            return harness;
        }
        catch
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            await fleet.DisposeAsync();
            SqliteConnection.ClearAllPools();
            TryDelete(directory);
            throw;
        }
    }

    /// <summary>
    /// A gateway in front of a fleet that other gateways share (several gateways on one ledger):
    /// the caller owns the fleet and the ledger, given in <paramref name="settings"/>.
    /// </summary>
    public static async Task<GatewayHarness> StartSharingAsync(SimulatedFleet fleet, IDictionary<string, string?> settings)
    {
        var directory = Directory.CreateTempSubdirectory("meterai-gateway-test-");
        try
        {
            var harness = await StartAsync(fleet, directory, settings, null, null);
            harness._sharesFleet = true;
            return harness;
        }
        catch
        {
            TryDelete(directory);
            throw;
        }
    }

    private static async Task<GatewayHarness> StartAsync(
        SimulatedFleet fleet,
        DirectoryInfo directory,
        IDictionary<string, string?>? settings,
        Func<string, string>? editRegistry,
        Action<IServiceCollection>? services)
    {
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

            // Its own key ring for the sign-in cookie and antiforgery tokens, not the user's ~/.aspnet.
            ["Auth:DataProtectionKeysPath"] = Path.Combine(directory.FullName, "keys"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var logs = new CapturedLogs();
        var factory = new Factory(all, logs, services);
        GatewayHarness? harness = null;
        try
        {
            factory.UseKestrel(0);
            factory.StartServer();
            harness = new GatewayHarness(fleet, factory, directory, ledgerPath, logs);
            await harness.WaitForFirstProbesAsync();
            return harness;
        }
        catch
        {
            harness?.Client.Dispose();
            harness?.RawClient.Dispose();
            await factory.DisposeAsync();
            throw;
        }
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
        await using var connection = await Services.GetRequiredService<Meterai.Gateway.Ledger.LedgerDatabase>().OpenAsync(CancellationToken.None);
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
        RawClient.Dispose();
        await _factory.DisposeAsync();
        if (!_sharesFleet)
        {
            await Fleet.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        TryDelete(_directory);
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
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

    private sealed class Factory(IDictionary<string, string?> settings, CapturedLogs logs, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));

            // Seeded, so which distributor the load balancer samples first is the same on every run.
            builder.ConfigureTestServices(replace =>
            {
                replace.AddSingleton(new Random(20240901));
                services?.Invoke(replace);
            });
        }
    }
}
