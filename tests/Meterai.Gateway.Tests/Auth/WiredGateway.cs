using Meterai.Gateway.Apis;
using Meterai.Gateway.Auth;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Routing;
using Meterai.Gateway.Scheduling;
using Meterai.Gateway.Status;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>
/// A real gateway on Kestrel (loopback, ephemeral port) wired as Program.cs is plus the lines for
/// Auth, Pages and Status, in front of a real simulated fleet. It has <see cref="GatewayHarness"/>'s
/// members (Client, Logs, Services, Fleet), so once Program.cs maps these features the tests move
/// to GatewayHarness by changing the type they start. The extra endpoints stand in for the
/// oversight endpoints another part of the issue builds.
/// </summary>
internal sealed class WiredGateway : IAsyncDisposable
{
    public const string ReadApi = "/api/oversight/test/read";
    public const string ActApi = "/api/oversight/test/act";
    public const string ReadPage = "/oversight";
    public const string ActPage = "/oversight/test/act";

    private readonly WebApplication _app;
    private readonly DirectoryInfo _directory;

    private WiredGateway(WebApplication app, SimulatedFleet fleet, DirectoryInfo directory, CapturedLogs logs)
    {
        _app = app;
        Fleet = fleet;
        _directory = directory;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.Single());
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
    }

    public SimulatedFleet Fleet { get; }

    /// <summary>No redirects followed and no cookies kept: tests see every answer as it is.</summary>
    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<WiredGateway> StartAsync(
        IEnumerable<SimulatedDistributorOptions> distributors,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var fleet = await SimulatedFleet.StartAsync(distributors);
        var directory = Directory.CreateTempSubdirectory("meterai-wired-test-");
        try
        {
            var registry = Path.Combine(directory.FullName, "registry.json");
            await File.WriteAllTextAsync(registry, fleet.ToRegistryJson());
            var all = new Dictionary<string, string?>
            {
                ["Distributors:File"] = registry,
                ["ConnectionStrings:Ledger"] = $"Data Source={Path.Combine(directory.FullName, "ledger.db")}",
                ["Probing:IntervalSeconds"] = "3600",
                ["Probing:TimeoutSeconds"] = "2",
                ["Purchasing:AttemptTimeoutSeconds"] = "5",
                ["Auth:DataProtectionKeysPath"] = Path.Combine(directory.FullName, "keys"),
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            var logs = new CapturedLogs();
            var app = Build(all, logs, services);
            try
            {
                await app.StartAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            var gateway = new WiredGateway(app, fleet, directory, logs);
            await gateway.WaitForFirstProbesAsync();
            return gateway;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Program.cs's wiring, with the lines this part adds marked.</summary>
    private static WebApplication Build(IDictionary<string, string?> settings, CapturedLogs logs, Action<IServiceCollection>? services)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);

        builder.AddGatewayDefaults();
        builder.AddLedger();
        builder.AddDistributors();
        builder.AddDistributorRouting();
        builder.AddDistributorHealth();
        builder.AddPurchasing();
        builder.AddReconciliation();
        builder.AddOversight();
        builder.AddScheduling();
        builder.AddOversightAuth();   // new
        builder.AddPublicStatus();    // new
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseGatewayDefaults();
        app.UseOversightAuth();       // new
        app.MapHealthApi();
        app.MapStatusApi();           // new
        app.MapSignInPages();         // new
        app.MapPurchasesApi();
        app.MapPurchaseRoute();
        MapStandIns(app);
        return app;
    }

    private static void MapStandIns(IEndpointRouteBuilder app)
    {
        app.MapGet(ReadApi, () => TypedResults.Ok("read")).RequireAuthorization(OversightPolicies.Read);
        app.MapPost(ActApi, () => TypedResults.Ok("acted")).RequireAuthorization(OversightPolicies.Act);
        app.MapGet(ReadPage, () => new RazorComponentResult<SessionPage>()).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(ActPage, () => new RazorComponentResult<SessionPage>()).RequireAuthorization(OversightPolicies.Act);
    }

    public DistributorState State(string distributorId) =>
        Services.GetRequiredService<DistributorFleet>().TryGet(distributorId, out var state) ? state : throw new ArgumentException(distributorId);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
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
}
