using System.Diagnostics.Metrics;
using Meterai.Gateway.Observability;
using OpenTelemetry.Metrics;

namespace Meterai.Gateway.Tests.Observability.Prometheus;

/// <summary>The views AddGatewayMetrics installs: buckets in seconds, bounded series, unbounded tags dropped.</summary>
public sealed class MetricsPipelineTests
{
    [Theory]
    [InlineData("meterai.purchase.duration", 0.005, 30)]
    [InlineData("meterai.distributor.probe.duration", 0.005, 10)]
    public void View_GatewaySecondsHistogram_ExplicitSecondsBuckets(string name, double first, double last)
    {
        // Never recorded: a listening provider sees the instrument but no series.
        using var meter = new Meter(GatewayMetrics.MeterName);
        var histogram = meter.CreateHistogram<double>(name, "s");

        var view = Assert.IsType<ExplicitBucketHistogramConfiguration>(MetricsExtensions.View(histogram));

        Assert.Equal(first, view.Boundaries![0]);
        Assert.Equal(last, view.Boundaries[^1]);
        Assert.Equal(MetricsExtensions.MaxSeriesPerInstrument, view.CardinalityLimit);
        Assert.Null(view.ExcludedTagKeys);
    }

    [Fact]
    public async Task View_HistogramWithBucketAdvice_AdviceKept()
    {
        using var metrics = new TestMetrics(MetricsExtensions.View);
        metrics.Meter.CreateHistogram<double>(
            "http.server.request.duration", "s", "Requests.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02] })
            .Record(0.015);

        var text = await metrics.ScrapeAsync();

        Assert.Equal(
            ["le=\"0.01\"", "le=\"0.02\"", "le=\"+Inf\""],
            text.Split('\n').Where(l => l.StartsWith("http_server_request_duration_seconds_bucket", StringComparison.Ordinal)).Select(l => l[(l.IndexOf('{', StringComparison.Ordinal) + 1)..l.IndexOf('}', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task View_SecondsHistogramWithoutAdvice_SecondsBucketsNotMilliseconds()
    {
        using var metrics = new TestMetrics(MetricsExtensions.View);
        metrics.Meter.CreateHistogram<double>("quartz.job.execution.duration", "s", "Jobs.").Record(0.3);

        var text = await metrics.ScrapeAsync();

        Assert.Contains("quartz_job_execution_duration_seconds_bucket{le=\"0.005\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("quartz_job_execution_duration_seconds_bucket{le=\"0.5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("quartz_job_execution_duration_seconds_bucket{le=\"10\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("le=\"5000\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_FrameworkInstrumentWithUrlTags_UnboundedTagsDroppedRouteKept()
    {
        using var metrics = new TestMetrics(MetricsExtensions.View);
        var requests = metrics.Meter.CreateCounter<long>("http.client.requests", "{request}", "Requests.");
        for (var i = 0; i < 3; i++)
        {
            requests.Add(
                1,
                new KeyValuePair<string, object?>("http.route", "/api/purchases/{purchaseId}"),
                new KeyValuePair<string, object?>("url.full", $"http://d01/orders/{i}"),
                new KeyValuePair<string, object?>("client.address", $"10.0.0.{i}"));
        }

        var text = await metrics.ScrapeAsync();

        Assert.Contains("http_client_requests_total{http_route=\"/api/purchases/{purchaseId}\"} 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("url_full", text, StringComparison.Ordinal);
        Assert.DoesNotContain("client_address", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_MoreTagSetsThanTheLimit_FoldedIntoOverflowSeries()
    {
        using var metrics = new TestMetrics(MetricsExtensions.View);
        var counter = metrics.Meter.CreateCounter<long>("ids", description: "Per id, which is a mistake.");
        for (var i = 0; i < MetricsExtensions.MaxSeriesPerInstrument + 500; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("id", i));
        }

        var series = (await metrics.ScrapeAsync()).Split('\n').Where(l => l.StartsWith("ids_total", StringComparison.Ordinal)).ToList();

        Assert.InRange(series.Count, MetricsExtensions.MaxSeriesPerInstrument - 1, MetricsExtensions.MaxSeriesPerInstrument + 1);
        Assert.Contains(series, l => l.StartsWith("ids_total{otel_metric_overflow=\"true\"} ", StringComparison.Ordinal));
    }

    [Fact]
    public void MeterNames_SubscribedMeters_GatewayFrameworkAndQuartz()
    {
        Assert.Equal(
            [
                "Meterai.Gateway",
                "Microsoft.AspNetCore.Hosting",
                "Microsoft.AspNetCore.Server.Kestrel",
                "Microsoft.AspNetCore.Routing",
                "Microsoft.AspNetCore.Diagnostics",
                "System.Net.Http",
                "System.Runtime",
                "Quartz",
            ],
            MetricsExtensions.MeterNames);
    }
}
