using Meterai.Gateway.Settings;
using Microsoft.Extensions.Http;
using Prometheus;
using Prometheus.HttpClientMetrics;

namespace Meterai.Gateway.Observability;

/// <summary>
/// /metrics is prometheus-net's, from one registry per host (not the process-wide default, so
/// two hosts in one process, as in tests, never mix their series):
/// <list type="bullet">
/// <item>the gateway's own families (<see cref="GatewayMetrics"/>);</item>
/// <item>ASP.NET Core requests: <c>http_requests_received_total</c>, <c>http_request_duration_seconds</c>,
/// <c>http_requests_in_progress</c>, by route pattern and standard method only (<see cref="HttpRequestMetrics"/>);</item>
/// <item>HttpClient calls through IHttpClientFactory: <c>httpclient_*</c> by client name (and host, but for the histogram);</item>
/// <item>the process: <c>process_*</c>, <c>dotnet_collection_count_total</c>, <c>dotnet_total_memory_bytes</c>;</item>
/// <item>Kestrel's and Quartz's meters through the meter adapter (<see cref="MeterAdapterService"/>).</item>
/// </list>
/// </summary>
internal static class MetricsExtensions
{
    public static WebApplicationBuilder AddGatewayMetrics(this WebApplicationBuilder builder)
    {
        // Created here, not by the container, so the HttpClient handlers configured below can name it.
        var registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(registry);
        builder.Services.AddSingleton(registry);

        builder.Services.AddRangedOptions<MetricsOptions>(MetricsOptions.Section);
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<IOversightGauges>(services => services.GetRequiredService<GatewayMetrics>());
        builder.Services.AddHostedService<MeterAdapterService>();

        // Every named client, whoever registers it: the handler builder knows the client's name.
        var httpClients = HttpClientOptions(registry);
        builder.Services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.UseHttpClientMetrics(httpClients)));
        return builder;
    }

    /// <summary>
    /// Request count, duration and in-progress of every request but the scrape itself, with bounded
    /// labels (<see cref="HttpRequestMetrics"/>). Outermost, so a request that ends in the exception
    /// handler counts with the 500 it answered.
    /// </summary>
    public static IApplicationBuilder UseGatewayHttpMetrics(this IApplicationBuilder app) => app.UseMiddleware<HttpRequestMetrics>();

    /// <summary>
    /// Request and HttpClient latency, in seconds: from a millisecond to past the 20 s purchase
    /// budget. Fewer buckets than prometheus-net's 16 defaults; a histogram series costs a line per bucket.
    /// </summary>
    internal static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>
    /// <c>http_request_duration_seconds</c> by method and endpoint (route pattern), as prometheus-net named it.
    /// The status code is left to <c>http_requests_received_total</c>: one line per code there,
    /// against one line per bucket here.
    /// </summary>
    internal static Histogram HttpServerDuration(CollectorRegistry registry) =>
        Metrics.WithCustomRegistry(registry).CreateHistogram(
            "http_request_duration_seconds",
            "The duration of HTTP requests processed by an ASP.NET Core application, by method and endpoint.",
            new HistogramConfiguration { LabelNames = ["method", "endpoint"], Buckets = LatencyBuckets });

    /// <summary>
    /// prometheus-net's <c>httpclient_request_duration_seconds</c> by client, method and code, not
    /// host: per distributor host it was most of the scrape (26 distributors × answers × buckets).
    /// Per host, <c>httpclient_requests_sent_total</c> counts answers by code, and
    /// <c>meterai_distributor_probe_duration_seconds</c> gives each distributor's latency.
    /// </summary>
    internal static Histogram HttpClientDuration(CollectorRegistry registry) =>
        Metrics.WithCustomRegistry(registry).CreateHistogram(
            "httpclient_request_duration_seconds",
            "Duration histogram of HTTP requests performed by an HttpClient, by client, method and code.",
            new HistogramConfiguration { LabelNames = ["method", "client", "code"], Buckets = LatencyBuckets });

    /// <summary>
    /// The response-duration histogram is left out: distributors answer small JSON bodies, so it
    /// would repeat the request-duration histogram's series (headers seen) for a few bytes more.
    /// </summary>
    private static HttpClientExporterOptions HttpClientOptions(CollectorRegistry registry) => new()
    {
        InProgress = new HttpClientInProgressOptions { Registry = registry },
        RequestCount = new HttpClientRequestCountOptions { Registry = registry },
        RequestDuration = new HttpClientRequestDurationOptions { Histogram = HttpClientDuration(registry) },
        ResponseDuration = new HttpClientResponseDurationOptions { Enabled = false },
    };
}
