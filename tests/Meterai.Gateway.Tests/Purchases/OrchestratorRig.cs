using System.Net;
using System.Text;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.LoadBalancing;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Resilience;
using Meterai.Gateway.Routing;
using Meterai.Gateway.Tests.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>
/// The purchase orchestrator without Kestrel or YARP's pipeline: the real ledger on a temp SQLite
/// file, the real admission queue, load balancer, passive health and slots, a YARP cluster state
/// built by hand, a <see cref="ScriptedSender"/> in place of the network, all on a FakeTimeProvider.
/// </summary>
internal sealed class OrchestratorRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly TestLedger _ledger;

    private OrchestratorRig(TestLedger ledger, FakeTimeProvider time, DistributorFleet fleet, ClusterState cluster, ServiceProvider services)
    {
        _ledger = ledger;
        Time = time;
        Fleet = fleet;
        Cluster = cluster;
        _services = services;
    }

    public FakeTimeProvider Time { get; }

    public DistributorFleet Fleet { get; }

    public ClusterState Cluster { get; }

    public ScriptedSender Sender { get; } = new();

    /// <summary>Order look-ups (GET /orders?idempotencyKey=) the ambiguous path made, by distributor host.</summary>
    public List<string> Lookups { get; } = [];

    public PurchaseOrchestrator Orchestrator => _services.GetRequiredService<PurchaseOrchestrator>();

    public AdmissionControl Admission => _services.GetRequiredService<AdmissionControl>();

    public PurchaseLedger Ledger => _services.GetRequiredService<PurchaseLedger>();

    public PurchaseReplies Replies => _services.GetRequiredService<PurchaseReplies>();

    public WaitingLine Line => _services.GetRequiredService<WaitingLine>();

    /// <summary>The gateway's metrics as Prometheus would scrape them.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var text = new MemoryStream();
        await _services.GetRequiredService<CollectorRegistry>().CollectAndExportAsTextAsync(text);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    public LedgerDatabase Database => _ledger.Database;

    public DistributorState Distributor(string id) => Fleet.TryGet(id, out var state) ? state : throw new InvalidOperationException(id);

    /// <param name="distributors">Ids of distributors, each allowed <paramref name="maxConcurrency"/> orders in flight.</param>
    /// <param name="limiter">Each distributor's concurrency limiter, from its ceiling; none keeps every limit at maxConcurrency, without ready slots.</param>
    public static async Task<OrchestratorRig> StartAsync(
        string[] distributors, int maxConcurrency = 4, Action<PurchasingOptions>? purchasing = null, Action<AdmissionOptions>? admission = null,
        Func<int, ConcurrencyLimiter>? limiter = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var ledger = await TestLedger.MigratedAsync(LedgerProviders.Sqlite, time);
        var fleet = new DistributorFleet(limiter is null ? null : new ConcurrencyLimits(
            [new GivenLimiters(limiter)], Options.Create(new CapacityOptions { Algorithm = GivenLimiters.Given, ReadyShare = 0 })));
        fleet.Load([.. distributors.Select(id => new DistributorEntry(id, id, new Uri($"http://{id}.example/"), "key-" + id, maxConcurrency))], isDemo: false);

        var cluster = new ClusterState(GatewayProxy.ClusterId, new ClusterModel(new ClusterConfig { ClusterId = GatewayProxy.ClusterId }, new HttpMessageInvoker(new HttpClientHandler())));
        foreach (var distributor in fleet.All)
        {
            cluster.Destinations[distributor.Id] = new DestinationState(distributor.Id);
        }

        var rig = default(OrchestratorRig);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton(fleet)
            .AddSingleton(new CollectorRegistry())
            .AddSingleton<GatewayMetrics>()
            .AddSingleton(new PurchaseLedger(ledger.Database))
            .AddSingleton<RefusalCounter>()
            .AddSingleton<AnswerRecorder>()
            .AddSingleton<PurchaseReplies>()
            .AddSingleton<WaitingLine>()
            .AddSingleton<AdmissionControl>()
            .AddSingleton<KeysBeingClaimed>()
            .AddSingleton(new Random(7))
            .AddSingleton<LeastLoadedOfTwoPolicy>()
            .AddSingleton<FailureRatePolicy>()
            .AddSingleton<IDestinationHealthUpdater, NoHealthChanges>()
            .AddSingleton<IClusterDestinationsUpdater>(new StockDestinations(fleet))
            .AddSingleton<IProxyStateLookup>(new OneCluster(cluster))
            .AddSingleton<DistributorRouting>()
            .AddSingleton<IOrderSender>(_ => rig!.Sender)
            .AddSingleton(_ => new DistributorClient(new HttpClient(new LookupHandler(rig!))))
            .AddSingleton<OrderLookup>()
            .AddSingleton<PurchaseOrchestrator>()
            .AddGatewayResilience()
            .AddGatewayPipeline(ResiliencePipelines.OrderLookup, (pipeline, provider) =>
                OrderLookup.Configure(pipeline, provider.GetRequiredService<IOptions<PurchasingOptions>>().Value));
        services.AddOptions<PurchasingOptions>().Configure(o => purchasing?.Invoke(o));
        services.AddOptions<AdmissionOptions>().Configure(o => admission?.Invoke(o));
        services.AddOptions<PassiveHealthOptions>();
        services.AddOptions<ProbingOptions>();
        rig = new OrchestratorRig(ledger, time, fleet, cluster, services.BuildServiceProvider());
        rig._services.GetRequiredService<IClusterDestinationsUpdater>().UpdateAvailableDestinations(cluster);
        return rig;
    }

    /// <summary>POST /api/purchases as the orchestrator receives it.</summary>
    public static DefaultHttpContext Purchase(string key, int quantity = 1, CancellationToken applicantGone = default)
    {
        var context = new DefaultHttpContext { RequestAborted = applicantGone };
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/json";
        context.Request.Headers[PurchaseRequest.IdempotencyKeyHeader] = key;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes($$"""{"quantity":{{quantity}},"applicantRef":"applicant-1"}"""));
        return context;
    }

    public Task<PurchaseAnswer> BuyAsync(string key, int quantity = 1, CancellationToken applicantGone = default) =>
        Orchestrator.HandleAsync(Purchase(key, quantity, applicantGone));

    public static int StatusOf(PurchaseAnswer answer) => Assert.IsAssignableFrom<IStatusCodeHttpResult>(answer.Result).StatusCode ?? 0;

    public static string BodyOf(PurchaseAnswer answer) => Assert.IsType<ContentHttpResult>(answer.Result).ResponseContent ?? "";

    /// <summary>The ledger's attempts of the purchase with this key: (number, distributor, outcome).</summary>
    public async Task<List<(long Attempt, string Distributor, string? Outcome)>> AttemptsAsync(string key)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return [.. await Dapper.SqlMapper.QueryAsync<(long, string, string?)>(connection, """
            SELECT a.attempt, a.distributor_id, a.outcome FROM purchase_attempts a
            JOIN purchases p ON p.purchase_id = a.purchase_id WHERE p.idempotency_key = @key ORDER BY a.attempt
            """, new { key })];
    }

    public async Task<string?> StatusInLedgerAsync(string key)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await Dapper.SqlMapper.QuerySingleOrDefaultAsync<string>(connection, "SELECT status FROM purchases WHERE idempotency_key = @key", new { key });
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _ledger.DisposeAsync();
    }

    /// <summary>GET /orders?idempotencyKey=: no order (404), so an ambiguous purchase stays pending.</summary>
    private sealed class LookupHandler(OrchestratorRig rig) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (rig.Lookups)
            {
                rig.Lookups.Add(request.RequestUri!.Host);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }

    internal sealed class OneCluster(ClusterState cluster) : IProxyStateLookup
    {
        public bool TryGetRoute(string id, out RouteModel route) => throw new NotSupportedException();

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, out ClusterState cluster1)
        {
            cluster1 = cluster;
            return id == cluster.ClusterId;
        }

        public IEnumerable<ClusterState> GetClusters() => [cluster];
    }

    private sealed class GivenLimiters(Func<int, ConcurrencyLimiter> create) : IConcurrencyLimitAlgorithm
    {
        public const string Given = "given";

        public string Name => Given;

        public ConcurrencyLimiter Create(int ceiling) => create(ceiling);
    }

    internal sealed class NoHealthChanges : IDestinationHealthUpdater
    {
        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod)
        {
        }
    }

    /// <summary>What YARP does on a stock change: the available destinations again, through the gateway's own policy.</summary>
    private sealed class StockDestinations(DistributorFleet fleet) : IClusterDestinationsUpdater
    {
        public void UpdateAvailableDestinations(ClusterState cluster)
        {
            var all = cluster.Destinations.Values.OrderBy(d => d.DestinationId, StringComparer.Ordinal).ToList();
            cluster.DestinationsState = new ClusterDestinationsState(all, new HealthyInStockPolicy(fleet).GetAvailalableDestinations(cluster.Model.Config, all));
        }

        public void UpdateAllDestinations(ClusterState cluster) => UpdateAvailableDestinations(cluster);
    }
}

/// <summary>The network, scripted: each order sent gets the next scripted answer, or waits for the test to give one.</summary>
internal sealed class ScriptedSender : IOrderSender
{
    private readonly Queue<Func<Sent, Task<AttemptResult>>> _script = new();

    public List<Sent> Calls { get; } = [];

    /// <summary>The next order gets this answer at once.</summary>
    public ScriptedSender Then(int status, string? body = null) => Then(_ => Task.FromResult(Answer(status, body)));

    public ScriptedSender Then(Func<Sent, Task<AttemptResult>> answer)
    {
        lock (_script)
        {
            _script.Enqueue(answer);
        }

        return this;
    }

    public static AttemptResult Answer(int status, string? body = null) =>
        AttemptResult.Answered(status, body is null ? [] : Encoding.UTF8.GetBytes(body), 1, 2, 3, 4);

    public static string Issued(Sent sent, int quantity = 1) =>
        $$"""{"orderId":"ord_{{sent.Number}}","status":"issued","quantity":{{quantity}},"amount":{{quantity * 10000}},"serials":[{{string.Join(",", Enumerable.Range(1, quantity).Select(i => $"\"MT-{i}\""))}}],"idempotencyKey":"{{sent.PurchaseId}}"}""";

    public Task<AttemptResult> SendAsync(DistributorEntry distributor, string purchaseId, byte[] body)
    {
        Func<Sent, Task<AttemptResult>> next;
        Sent sent;
        lock (_script)
        {
            sent = new Sent(distributor.Id, purchaseId, Encoding.UTF8.GetString(body), Calls.Count + 1);
            Calls.Add(sent);
            next = _script.Count > 0 ? _script.Dequeue() : throw new InvalidOperationException($"no answer scripted for order {sent.Number} to {distributor.Id}");
        }

        return next(sent);
    }

    /// <param name="Number">1 for the first order this sender saw.</param>
    public sealed record Sent(string DistributorId, string PurchaseId, string Body, int Number);
}
