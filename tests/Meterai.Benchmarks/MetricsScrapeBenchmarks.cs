using BenchmarkDotNet.Attributes;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Observability;
using Prometheus;

namespace Meterai.Benchmarks;

/// <summary>
/// One GET /metrics without HTTP: prometheus-net collects the host's registry (the gauges' callback
/// runs) and renders Prometheus text, for the demo's 26 distributors. The gateway's own families are
/// the real <see cref="GatewayMetrics"/>; the framework's busiest, as prometheus-net's
/// <c>UseHttpMetrics</c> and HttpClient handlers name, label and bucket them.
/// </summary>
[MemoryDiagnoser]
public class MetricsScrapeBenchmarks : IDisposable
{
    private const int Distributors = 26;

    private static readonly string[] Routes = ["/api/purchases", "/api/purchases/{purchaseId}", "/api/status", "/status", "/healthz", "/readyz", "/api/oversight/distributors", "/oversight"];
    private static readonly string[] StatusCodes = ["200", "201", "202", "503"];
    private static readonly (string Method, string Code)[] ClientAnswers = [("GET", "200"), ("GET", "503"), ("POST", "201"), ("POST", "409"), ("POST", "503")];

    private readonly MemoryStream _buffer = new();
    private CollectorRegistry _registry = null!;

    /// <summary>Bytes of one exposition, for the report.</summary>
    public int ExpositionBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(_registry);
        var fleet = new DistributorFleet();
        fleet.Load([.. Enumerable.Range(1, Distributors).Select(i => new DistributorEntry($"d{i:00}", $"Distributor {i}", new Uri($"http://d{i:00}.distributors.internal"), null, 32))], isDemo: true);
        var metrics = new GatewayMetrics(_registry, fleet);
        var random = new Random(4);
        foreach (var d in fleet.All)
        {
            foreach (var outcome in PurchaseOutcomes.All)
            {
                for (var i = 0; i < 5; i++)
                {
                    metrics.PurchaseAnswered(d.Id, outcome, TimeSpan.FromSeconds(random.NextDouble() * 3));
                }
            }

            foreach (var result in GatewayMetrics.AttemptResults)
            {
                metrics.AttemptAnswered(d.Id, result);
            }

            for (var i = 0; i < 20; i++)
            {
                metrics.Probed(d.Id, TimeSpan.FromSeconds(random.NextDouble() * 0.2));
            }
        }

        // As UseHttpMetrics and the HttpClient handlers record them (MetricsExtensions).
        var factory = Metrics.WithCustomRegistry(_registry);
        var received = factory.CreateCounter("http_requests_received_total", "Provides the count of HTTP requests that have been processed by the ASP.NET Core pipeline.", "code", "method", "controller", "action", "endpoint");
        var server = MetricsExtensions.HttpServerDuration(_registry);
        foreach (var route in Routes)
        {
            var method = route == "/api/purchases" ? "POST" : "GET";
            foreach (var code in StatusCodes)
            {
                received.WithLabels(code, method, "", "", route).Inc();
                server.WithLabels(method, route).Observe(random.NextDouble());
            }
        }

        // One host per distributor in production (the demo's all share 127.0.0.1).
        var sent = factory.CreateCounter("httpclient_requests_sent_total", "Count of HTTP requests that have been completed by an HttpClient.", "method", "host", "client", "code");
        var client = MetricsExtensions.HttpClientDuration(_registry);
        foreach (var d in fleet.All)
        {
            foreach (var (method, code) in ClientAnswers)
            {
                sent.WithLabels(method, d.Entry.BaseUrl.Host, "distributors", code).Inc();
                client.WithLabels(method, "distributors", code).Observe(random.NextDouble());
            }
        }

        ExpositionBytes = Scrape();
        var text = System.Text.Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, ExpositionBytes);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine($"// One exposition: {ExpositionBytes} bytes, {lines.Count(l => l.StartsWith("# TYPE", StringComparison.Ordinal))} families, {lines.Count(l => !l.StartsWith('#'))} sample lines");
    }

    [Benchmark]
    public int Scrape()
    {
        _buffer.SetLength(0);
        _registry.CollectAndExportAsTextAsync(_buffer).GetAwaiter().GetResult();
        return (int)_buffer.Length;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _buffer.Dispose();
        GC.SuppressFinalize(this);
    }
}
