using System.Diagnostics.Metrics;
using Meterai.Gateway.Observability.Prometheus;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Meterai.Gateway.Observability;

public static class MetricsExtensions
{
    /// <summary>Quartz's meter (<c>Quartz.Diagnostics.QuartzInstrumentation.MeterName</c>).</summary>
    private const string QuartzMeterName = Quartz.Diagnostics.QuartzInstrumentation.MeterName;

    /// <summary>
    /// The series one instrument may hold. Measurements with a tag combination beyond it are
    /// folded into one series labelled <c>otel_metric_overflow="true"</c> instead of growing
    /// memory and the scrape without bound. The largest legitimate set is the framework's
    /// request histograms (route × method × status × protocol); the gateway's own are at most
    /// 26 distributors × 5 outcomes.
    /// </summary>
    internal const int MaxSeriesPerInstrument = 1000;

    /// <summary>The meters exposed on /metrics.</summary>
    internal static readonly string[] MeterNames =
    [
        GatewayMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "System.Net.Http",
        "System.Runtime",
        QuartzMeterName,
    ];

    /// <summary>Purchases answer within the 20 s total budget (Purchasing:TotalBudgetSeconds); 30 s leaves a bucket above it.</summary>
    internal static readonly double[] PurchaseDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

    /// <summary>A probe is bounded by Probing:TimeoutSeconds (default 5 s).</summary>
    internal static readonly double[] ProbeDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>For a seconds histogram that brings no bucket advice: OpenTelemetry's default buckets are for milliseconds.</summary>
    internal static readonly double[] DefaultSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>
    /// Tags that name one request or one peer rather than a kind of request. None of the
    /// framework instruments of .NET 10 sets them, but an added instrumentation or a newer
    /// runtime could; each distinct value would be a new series.
    /// </summary>
    internal static readonly string[] UnboundedTagKeys =
    [
        "url.full",
        "url.path",
        "url.query",
        "client.address",
        "client.port",
        "network.peer.port",
        "quartz.fire.instance.id",
    ];

    /// <summary>
    /// The metrics pipeline: System.Diagnostics.Metrics instruments of the gateway, ASP.NET Core,
    /// HttpClient, the runtime and Quartz, aggregated by the OpenTelemetry SDK and exposed as
    /// Prometheus text by <c>MapMetricsApi</c>. Call early, before the features whose hosted
    /// services record measurements, so the provider listens before they start.
    /// </summary>
    public static WebApplicationBuilder AddGatewayMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PrometheusScraper>();

        // Created by the container, so the container disposes it (flushing nothing: pull only) on shutdown.
        builder.Services.AddSingleton(services => BuildMeterProvider(services.GetRequiredService<PrometheusScraper>().Reader));

        // Hosted services are all resolved before the first one starts: this builds the provider,
        // which starts listening, ahead of the scheduler, the probes and the first request.
        builder.Services.AddHostedService<MeterProviderActivator>();
        return builder;
    }

    internal static MeterProvider BuildMeterProvider(MetricReader reader, params string[] extraMeterNames) =>
        Sdk.CreateMeterProviderBuilder()
            .AddMeter([.. MeterNames, .. extraMeterNames])
            .AddView(View)
            .AddReader(reader)
            .Build();

    /// <summary>Bucket boundaries in seconds, a series limit on every instrument, unbounded tags dropped.</summary>
    internal static MetricStreamConfiguration View(Instrument instrument)
    {
        double[]? buckets = null;
        if (instrument.Meter.Name == GatewayMetrics.MeterName)
        {
            buckets = instrument.Name switch
            {
                "meterai.purchase.duration" => PurchaseDurationBuckets,
                "meterai.distributor.probe.duration" => ProbeDurationBuckets,
                _ => null,
            };
        }

        // Framework histograms (http.server.request.duration...) carry their own bucket advice,
        // which OpenTelemetry applies when the view sets no boundaries.
        buckets ??= IsSecondsHistogramWithoutAdvice(instrument) ? DefaultSecondsBuckets : null;

        // Our own tags are bounded by design (GatewayMetrics), and filtering costs every measurement.
        var excluded = instrument.Meter.Name == GatewayMetrics.MeterName ? null : UnboundedTagKeys;
        return buckets is null
            ? new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerInstrument, ExcludedTagKeys = excluded }
            : new ExplicitBucketHistogramConfiguration { Boundaries = buckets, CardinalityLimit = MaxSeriesPerInstrument, ExcludedTagKeys = excluded };
    }

    private static bool IsSecondsHistogramWithoutAdvice(Instrument instrument) =>
        instrument.Unit == "s" && instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries is null,
            _ => false,
        };

    /// <summary>Makes the container build the MeterProvider at host start.</summary>
    private sealed class MeterProviderActivator(MeterProvider provider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(provider);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
