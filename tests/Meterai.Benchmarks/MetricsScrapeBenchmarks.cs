using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Observability.Prometheus;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;

namespace Meterai.Benchmarks;

/// <summary>
/// One GET /metrics without HTTP: collect every instrument through the OpenTelemetry SDK and render
/// Prometheus text, for the demo's 26 distributors. The instruments mirror GatewayMetrics (same
/// meter, names, units and labels, so the same views apply) and the framework's busiest
/// histograms; the runtime's own System.Runtime instruments are collected too, as in the gateway.
/// </summary>
[MemoryDiagnoser]
public class MetricsScrapeBenchmarks : IDisposable
{
    private const int Distributors = 26;

    private static readonly string[] Outcomes = ["issued", "pending", "failed", "rejected", "unavailable"];
    private static readonly string[] AttemptResults = ["issued", "pending", "sold_out", "refused", "ambiguous"];
    private static readonly string[] Routes = ["/api/purchases", "/api/purchases/{purchaseId}", "/api/status", "/status", "/healthz", "/readyz", "/metrics", "/api/oversight/distributors"];
    private static readonly int[] StatusCodes = [200, 201, 202, 503];
    private static readonly string[] RejectionReasons = ["no_distributor", "at_capacity", "ledger_unavailable"];
    private static readonly string[] DistributorGauges = ["meterai.distributor.up", "meterai.distributor.stock", "meterai.distributor.active", "meterai.distributor.inflight", "meterai.distributor.max_concurrency"];
    private static readonly string[] FlagReasons = ["unreachable", "no_stock", "no_sales", "undelivered"];
    private static readonly (string Method, int Status)[] ClientAnswers = [("GET", 200), ("GET", 503), ("POST", 201), ("POST", 409), ("POST", 503)];
    private static readonly double[] ServerBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly List<Meter> _meters = [];
    private PrometheusScraper _scraper = null!;
    private MeterProvider _provider = null!;

    /// <summary>Bytes of one exposition, for the report.</summary>
    public int ExpositionBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _scraper = new PrometheusScraper(NullLogger<PrometheusScraper>.Instance);
        _provider = MetricsExtensions.BuildMeterProvider(_scraper.Reader);

        var ids = Enumerable.Range(1, Distributors).Select(i => $"d{i:00}").ToArray();
        var random = new Random(4);
        var gateway = NewMeter(GatewayMetrics.MeterName);
        var purchases = gateway.CreateCounter<long>("meterai.purchases", "{purchase}", "Purchase requests answered.");
        var purchaseDuration = gateway.CreateHistogram<double>("meterai.purchase.duration", "s", "Time to answer a purchase.");
        var attempts = gateway.CreateCounter<long>("meterai.distributor.attempts", "{attempt}", "Orders offered to a distributor.");
        var probeDuration = gateway.CreateHistogram<double>("meterai.distributor.probe.duration", "s", "Active probe duration.");
        var rejected = gateway.CreateCounter<long>("meterai.admission.rejected", "{request}", "Purchases refused at admission.");
        foreach (var id in ids)
        {
            foreach (var outcome in Outcomes)
            {
                purchases.Add(random.Next(1, 10_000), Tag("distributor", id), Tag("outcome", outcome));
                purchaseDuration.Record(random.NextDouble() * 3, Tag("outcome", outcome));
            }

            foreach (var result in AttemptResults)
            {
                attempts.Add(random.Next(1, 10_000), Tag("distributor", id), Tag("result", result));
            }

            for (var i = 0; i < 20; i++)
            {
                probeDuration.Record(random.NextDouble() * 0.2, Tag("distributor", id));
            }
        }

        foreach (var reason in RejectionReasons)
        {
            rejected.Add(random.Next(1, 100), Tag("reason", reason));
        }

        foreach (var name in DistributorGauges)
        {
            var values = ids.Select(id => new Measurement<long>(random.Next(0, 500), Tag("distributor", id))).ToArray();
            gateway.CreateObservableGauge(name, () => values, description: name);
        }

        var flags = FlagReasons.Select(r => new Measurement<int>(random.Next(0, 16), Tag("reason", r))).ToArray();
        gateway.CreateObservableGauge("meterai.flags.open", () => flags, description: "Open flags.");
        gateway.CreateObservableGauge("meterai.purchases.unresolved", () => 12, description: "Unresolved purchases.");
        gateway.CreateObservableGauge("meterai.refunds.due", () => 3, description: "Refunds due.");

        // http.server.request.duration as ASP.NET Core records it: route × method × status.
        var hosting = NewMeter("Microsoft.AspNetCore.Hosting");
        var server = hosting.CreateHistogram<double>(
            "http.server.request.duration", "s", "Duration of HTTP server requests.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServerBuckets });
        foreach (var route in Routes)
        {
            foreach (var status in StatusCodes)
            {
                for (var i = 0; i < 10; i++)
                {
                    server.Record(
                        random.NextDouble(),
                        Tag("http.request.method", route == "/api/purchases" ? "POST" : "GET"),
                        Tag("url.scheme", "http"),
                        Tag("http.route", route),
                        Tag("http.response.status_code", status),
                        Tag("network.protocol.version", "1.1"));
                }
            }
        }

        // http.client.request.duration: the gateway calling every distributor (probes and lookups
        // GET, orders POST), the answers a distributor gives.
        var http = NewMeter("System.Net.Http");
        var client = http.CreateHistogram<double>(
            "http.client.request.duration", "s", "Duration of HTTP client requests.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServerBuckets });
        foreach (var id in ids)
        {
            foreach (var (method, status) in ClientAnswers)
            {
                client.Record(
                    random.NextDouble(),
                    Tag("http.request.method", method),
                    Tag("server.address", $"{id}.distributors.internal"),
                    Tag("server.port", 443),
                    Tag("url.scheme", "https"),
                    Tag("http.response.status_code", status),
                    Tag("network.protocol.version", "1.1"));
            }
        }

        using (var scrape = _scraper.ScrapeAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()!)
        {
            var text = System.Text.Encoding.UTF8.GetString(scrape.Content.Span);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            ExpositionBytes = scrape.Length;
            Console.WriteLine($"// One exposition: {scrape.Length} bytes, {lines.Count(l => l.StartsWith("# TYPE", StringComparison.Ordinal))} families, {lines.Count(l => !l.StartsWith('#'))} sample lines");
        }
    }

    [Benchmark]
    public int Scrape()
    {
        using var scrape = _scraper.ScrapeAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("the collection failed");
        return scrape.Length;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _provider.Dispose();
        _scraper.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private Meter NewMeter(string name)
    {
        var meter = new Meter(name);
        _meters.Add(meter);
        return meter;
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
