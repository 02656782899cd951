using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Observability.LivePrometheus;

/// <summary>
/// A stand-in /metrics on loopback (Kestrel, ephemeral port) serving the families of the gateway
/// spec as we expect the gateway to export them. Counters and histograms grow with every scrape,
/// so rates are real. It checks the dashboards and the Prometheus harness independently of the
/// gateway's own exposition.
/// </summary>
internal sealed class FakeExposition : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _scrapes;

    private FakeExposition(WebApplication app) => _app = app;

    /// <summary>host:port for Prometheus.</summary>
    public string Target { get; private set; } = "";

    public static async Task<FakeExposition> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeExposition(app);
        app.MapGet("/metrics", () => Results.Text(Text(Interlocked.Increment(ref fake._scrapes)), "text/plain; version=0.0.4; charset=utf-8"));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        fake.Target = $"{address.Host}:{address.Port}";
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The exposition after <paramref name="n"/> scrapes: counters are n times a base rate.</summary>
    public static string Text(int n)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        string V(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        void Histogram(string name, string labels, double count, double[] bounds, double[] shares, double meanSeconds)
        {
            var le = labels.Length == 0 ? "" : labels + ",";
            var own = labels.Length == 0 ? "" : $"{{{labels}}}";
            for (var i = 0; i < bounds.Length; i++)
            {
                Line($"{name}_bucket{{{le}le=\"{V(bounds[i])}\"}} {V(Math.Floor(count * shares[i]))}");
            }

            Line($"{name}_bucket{{{le}le=\"+Inf\"}} {V(count)}");
            Line($"{name}_sum{own} {V(count * meanSeconds)}");
            Line($"{name}_count{own} {V(count)}");
        }

        double[] bounds = [0.05, 0.1, 0.5, 1, 5];
        double[] fast = [0.5, 0.8, 0.95, 1, 1];
        double[] slow = [0, 0.1, 0.5, 0.9, 1];

        Line("# HELP meterai_purchases_total Purchase requests answered, by distributor and outcome.");
        Line("# TYPE meterai_purchases_total counter");
        Line($"meterai_purchases_total{{distributor=\"d01\",outcome=\"issued\"}} {V(10 * n)}");
        Line($"meterai_purchases_total{{distributor=\"d02\",outcome=\"issued\"}} {V(5 * n)}");
        Line($"meterai_purchases_total{{distributor=\"d02\",outcome=\"pending\"}} {V(n)}");
        Line($"meterai_purchases_total{{distributor=\"none\",outcome=\"unavailable\"}} {V(n)}");
        Line($"meterai_purchases_total{{distributor=\"none\",outcome=\"rejected\"}} {V(n)}");
        Line($"meterai_purchases_total{{distributor=\"d01\",outcome=\"failed\"}} {V(n / 2)}");

        Line("# HELP meterai_purchase_duration_seconds Time to answer a purchase request, by outcome.");
        Line("# TYPE meterai_purchase_duration_seconds histogram");
        Histogram("meterai_purchase_duration_seconds", "outcome=\"issued\"", 15 * n, bounds, fast, 0.06);
        Histogram("meterai_purchase_duration_seconds", "outcome=\"unavailable\"", n, bounds, slow, 0.8);

        string[] distributors = ["d01", "d02", "d03"];
        void Gauge(string name, string help, params double[] values)
        {
            Line($"# HELP {name} {help}");
            Line($"# TYPE {name} gauge");
            for (var i = 0; i < distributors.Length; i++)
            {
                Line($"{name}{{distributor=\"{distributors[i]}\"}} {V(values[i])}");
            }
        }

        Gauge("meterai_distributor_up", "1 when the last probe found the distributor able to sell.", 1, 1, 0);
        Gauge("meterai_distributor_stock", "E-Meterai the distributor can issue now.", 1000 - n, 0, 50);
        Gauge("meterai_distributor_active", "1 active, 0 flagged inactive.", 1, 1, 0);
        Gauge("meterai_distributor_inflight", "Orders in flight at the distributor.", 3, 0, 0);
        Gauge("meterai_distributor_max_concurrency", "The distributor's registry ceiling.", 32, 16, 16);
        Gauge("meterai_distributor_concurrency_limit", "The distributor's learned concurrency limit.", 4, 16, 1);

        Line("# HELP meterai_distributor_probe_duration_seconds Duration of an active probe.");
        Line("# TYPE meterai_distributor_probe_duration_seconds histogram");
        foreach (var distributor in distributors)
        {
            Histogram("meterai_distributor_probe_duration_seconds", $"distributor=\"{distributor}\"", n, bounds, fast, 0.02);
        }

        Line("# HELP meterai_distributor_attempts_total Orders offered to a distributor, by result.");
        Line("# TYPE meterai_distributor_attempts_total counter");
        Line($"meterai_distributor_attempts_total{{distributor=\"d01\",result=\"issued\"}} {V(10 * n)}");
        Line($"meterai_distributor_attempts_total{{distributor=\"d02\",result=\"sold_out\"}} {V(n)}");

        Line("# HELP meterai_admission_rejected_total Purchase requests answered 503, by reason.");
        Line("# TYPE meterai_admission_rejected_total counter");
        Line($"meterai_admission_rejected_total{{reason=\"no_distributor\"}} {V(n)}");

        Line("# HELP meterai_resilience_events_total Polly resilience events, by pipeline, strategy and event.");
        Line("# TYPE meterai_resilience_events_total counter");
        Line($"meterai_resilience_events_total{{pipeline=\"probe\",strategy=\"Timeout\",event=\"OnTimeout\"}} {V(n)}");

        Line("# HELP meterai_queue_length Places in line now.");
        Line("# TYPE meterai_queue_length gauge");
        Line("meterai_queue_length 12");
        Line("# HELP meterai_queue_places_taken_total Places taken in line.");
        Line("# TYPE meterai_queue_places_taken_total counter");
        Line($"meterai_queue_places_taken_total {V(3 * n)}");
        Line("# HELP meterai_queue_places_lost_total Places lost past their grace.");
        Line("# TYPE meterai_queue_places_lost_total counter");
        Line($"meterai_queue_places_lost_total {V(n)}");
        Line("# HELP meterai_queue_wait_seconds Time from a key's first arrival in line to its sale.");
        Line("# TYPE meterai_queue_wait_seconds histogram");
        Histogram("meterai_queue_wait_seconds", "", 2 * n, [1, 5, 30, 120, 600], slow, 20);

        Line("# HELP meterai_flags_open Open activity flags, by reason.");
        Line("# TYPE meterai_flags_open gauge");
        Line("meterai_flags_open{reason=\"unreachable\"} 1");
        Line("meterai_flags_open{reason=\"no_stock\"} 0");
        Line("meterai_flags_open{reason=\"no_sales\"} 0");
        Line("meterai_flags_open{reason=\"undelivered\"} 0");

        Line("# HELP meterai_purchases_unresolved Purchases charged and not yet delivered or refunded.");
        Line("# TYPE meterai_purchases_unresolved gauge");
        Line("meterai_purchases_unresolved 1");
        Line("# HELP meterai_refunds_due Purchases owed a refund.");
        Line("# TYPE meterai_refunds_due gauge");
        Line("meterai_refunds_due 0");

        Line("# HELP http_requests_received_total Requests received (prometheus-net UseHttpMetrics).");
        Line("# TYPE http_requests_received_total counter");
        Line($"http_requests_received_total{{code=\"201\",method=\"POST\",controller=\"\",action=\"\",endpoint=\"/api/purchases\"}} {V(15 * n)}");
        Line($"http_requests_received_total{{code=\"503\",method=\"POST\",controller=\"\",action=\"\",endpoint=\"/api/purchases\"}} {V(n)}");
        Line("# HELP http_request_duration_seconds Request duration (prometheus-net UseHttpMetrics).");
        Line("# TYPE http_request_duration_seconds histogram");
        Histogram("http_request_duration_seconds", "method=\"POST\",endpoint=\"/api/purchases\"", 15 * n, bounds, fast, 0.06);

        Line("# HELP microsoft_aspnetcore_server_kestrel_kestrel_active_connections Open connections (meter adapter).");
        Line("# TYPE microsoft_aspnetcore_server_kestrel_kestrel_active_connections gauge");
        Line("microsoft_aspnetcore_server_kestrel_kestrel_active_connections 2");
        Line("# HELP process_working_set_bytes Process working set");
        Line("# TYPE process_working_set_bytes gauge");
        Line("process_working_set_bytes 104857600");
        Line("# HELP dotnet_collection_count_total GC collection count");
        Line("# TYPE dotnet_collection_count_total counter");
        Line($"dotnet_collection_count_total{{generation=\"0\"}} {V(n)}");
        Line("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.");
        Line("# TYPE process_cpu_seconds_total counter");
        Line($"process_cpu_seconds_total {V(0.1 * n)}");
        Line("# HELP quartz_quartz_job_execution_duration Job execution duration (meter adapter).");
        Line("# TYPE quartz_quartz_job_execution_duration histogram");
        Histogram("quartz_quartz_job_execution_duration", "quartz_job_name=\"probe\",quartz_job_result=\"succeeded\"", n, bounds, fast, 0.02);
        return text.ToString();
    }
}
