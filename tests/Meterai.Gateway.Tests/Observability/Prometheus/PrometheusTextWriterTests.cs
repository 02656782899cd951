using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Meterai.Gateway.Observability.Prometheus;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Observability.Prometheus;

/// <summary>
/// The exposition writer, fed by the real OpenTelemetry SDK (its Metric objects cannot be built any
/// other way): instruments in, Prometheus text 0.0.4 out, byte for byte.
/// </summary>
public sealed partial class PrometheusTextWriterTests
{
    [Fact]
    public async Task Scrape_Counter_TotalWithHelpTypeAndOneSeriesPerTagSet()
    {
        using var metrics = new TestMetrics();
        var orders = metrics.Meter.CreateCounter<long>("shop.orders", "{order}", "Orders placed.");
        orders.Add(3, new KeyValuePair<string, object?>("shop", "north"));
        orders.Add(2, new KeyValuePair<string, object?>("shop", "south"));
        orders.Add(1, new KeyValuePair<string, object?>("shop", "north"));

        Assert.Equal(
            """
            # HELP shop_orders_total Orders placed.
            # TYPE shop_orders_total counter
            shop_orders_total{shop="north"} 4
            shop_orders_total{shop="south"} 2

            """,
            await metrics.ScrapeAsync());
    }

    [Fact]
    public async Task Scrape_DoubleCounterWithoutTags_NoBraces()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<double>("work.done", "s", "CPU seconds spent.").Add(1.25);

        Assert.Equal(
            """
            # HELP work_done_seconds_total CPU seconds spent.
            # TYPE work_done_seconds_total counter
            work_done_seconds_total 1.25

            """,
            await metrics.ScrapeAsync());
    }

    [Fact]
    public async Task Scrape_ObservableGauge_LastValueWithUnitSuffix()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateObservableGauge(
            "room.temperature",
            () => new[] { new Measurement<double>(21.5, new KeyValuePair<string, object?>("room", "a")), new Measurement<double>(-3, new KeyValuePair<string, object?>("room", "b")) },
            "Cel",
            "Room temperature.");
        metrics.Meter.CreateObservableGauge("fleet.up", () => 7L, description: "Distributors up.");

        Assert.Equal(
            """
            # HELP fleet_up Distributors up.
            # TYPE fleet_up gauge
            fleet_up 7
            # HELP room_temperature_celsius Room temperature.
            # TYPE room_temperature_celsius gauge
            room_temperature_celsius{room="a"} 21.5
            room_temperature_celsius{room="b"} -3

            """,
            await metrics.ScrapeAsync());
    }

    [Fact]
    public async Task Scrape_UpDownCounter_GaugeWithoutTotalOrUnitSuffix()
    {
        using var metrics = new TestMetrics();
        var depth = metrics.Meter.CreateUpDownCounter<long>("queue.depth", "{item}", "Items waiting.");
        depth.Add(5);
        depth.Add(-2);

        Assert.Equal(
            """
            # HELP queue_depth Items waiting.
            # TYPE queue_depth gauge
            queue_depth 3

            """,
            await metrics.ScrapeAsync());
    }

    [Fact]
    public async Task Scrape_Histogram_CumulativeBucketsEndingInInfThenSumAndCount()
    {
        using var metrics = new TestMetrics();
        var duration = metrics.Meter.CreateHistogram<double>(
            "job.duration", "s", "Job time.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        var tag = new KeyValuePair<string, object?>("job", "a");
        duration.Record(0.0625, tag);
        duration.Record(0.5, tag);
        duration.Record(0.5, tag);
        duration.Record(3, tag);
        duration.Record(1); // on a bound: le is "less than or equal"; OpenTelemetry lists the untagged series first

        Assert.Equal(
            """
            # HELP job_duration_seconds Job time.
            # TYPE job_duration_seconds histogram
            job_duration_seconds_bucket{le="0.1"} 0
            job_duration_seconds_bucket{le="1"} 1
            job_duration_seconds_bucket{le="+Inf"} 1
            job_duration_seconds_sum 1
            job_duration_seconds_count 1
            job_duration_seconds_bucket{job="a",le="0.1"} 1
            job_duration_seconds_bucket{job="a",le="1"} 3
            job_duration_seconds_bucket{job="a",le="+Inf"} 4
            job_duration_seconds_sum{job="a"} 4.0625
            job_duration_seconds_count{job="a"} 4

            """,
            await metrics.ScrapeAsync());
    }

    [Fact]
    public async Task Scrape_LabelValuesAndHelpWithSpecialCharacters_Escaped()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("escapes", description: "Line one\nback\\slash \"quoted\"")
            .Add(1, new KeyValuePair<string, object?>("path", "C:\\temp \"x\"\nnext ünï"));

        Assert.Equal(
            """
            # HELP escapes_total Line one\nback\\slash "quoted"
            # TYPE escapes_total counter
            escapes_total{path="C:\\temp \"x\"\nnext ünï"} 1

            """,
            await metrics.ScrapeAsync());
    }

    [Fact]
    public async Task Scrape_NonStringTagValues_FormattedInvariantly()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("typed", description: "Typed tags.").Add(
            1,
            new KeyValuePair<string, object?>("code", 200),
            new KeyValuePair<string, object?>("ok", true),
            new KeyValuePair<string, object?>("share", 0.5),
            new KeyValuePair<string, object?>("none", null));

        Assert.Contains("typed_total{code=\"200\",none=\"\",ok=\"true\",share=\"0.5\"} 1\n", await metrics.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_SpecialGaugeValues_PrometheusSpelling()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateObservableGauge(
            "odd",
            () => new[]
            {
                new Measurement<double>(double.NaN, new KeyValuePair<string, object?>("v", "nan")),
                new Measurement<double>(double.PositiveInfinity, new KeyValuePair<string, object?>("v", "pos")),
                new Measurement<double>(double.NegativeInfinity, new KeyValuePair<string, object?>("v", "neg")),
                new Measurement<double>(1e-7, new KeyValuePair<string, object?>("v", "tiny")),
                new Measurement<double>(123456789012.5, new KeyValuePair<string, object?>("v", "big")),
            },
            description: "Odd values.");

        var text = await metrics.ScrapeAsync();

        Assert.Contains("odd{v=\"nan\"} NaN\n", text, StringComparison.Ordinal);
        Assert.Contains("odd{v=\"pos\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("odd{v=\"neg\"} -Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("odd{v=\"tiny\"} 1E-07\n", text, StringComparison.Ordinal);
        Assert.Contains("odd{v=\"big\"} 123456789012.5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_InstrumentWithoutMeasurements_LeftOut()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("never.used", description: "Nothing yet.");
        metrics.Meter.CreateHistogram<double>("never.timed", "s", "Nothing yet.");

        Assert.Equal(string.Empty, await metrics.ScrapeAsync());

        metrics.Meter.CreateCounter<long>("used", description: "Something.").Add(1);
        Assert.DoesNotContain("never", await metrics.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_NoDescription_HelpNamesInstrumentAndMeter()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("quiet").Add(1);

        Assert.StartsWith($"# HELP quiet_total quiet (meter {metrics.MeterName})\n", await metrics.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_SameInstrumentFromTwoMeterInstances_OneFamilyNoDuplicateSeries()
    {
        using var metrics = new TestMetrics();
        var second = metrics.AddMeter();
        metrics.Meter.CreateCounter<long>("shared.events", description: "Events.").Add(1, new KeyValuePair<string, object?>("a", "1"));
        second.CreateCounter<long>("shared.events", description: "Events.").Add(2, new KeyValuePair<string, object?>("a", "1"));
        second.CreateCounter<long>("shared.events", description: "Events.").Add(5, new KeyValuePair<string, object?>("a", "2"));

        var text = await metrics.ScrapeAsync();

        Assert.Single(Lines(text), l => l == "# TYPE shared_events_total counter");
        Assert.Single(Lines(text), l => l.StartsWith("shared_events_total{a=\"1\"} ", StringComparison.Ordinal));
        Assert.Single(Lines(text), l => l.StartsWith("shared_events_total{a=\"2\"} ", StringComparison.Ordinal));
        await Promtool.AssertCleanAsync(text);
    }

    [Fact]
    public async Task Scrape_TwoKindsUnderOneName_FirstKeptOtherLoggedOnce()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var metrics = new TestMetrics(logger: factory.CreateLogger<PrometheusScraper>());
        metrics.Meter.CreateCounter<long>("clash", description: "A counter.").Add(1);
        metrics.Meter.CreateObservableGauge("clash.total", () => 9, description: "A gauge.");

        var text = await metrics.ScrapeAsync();
        await metrics.ScrapeAsync();

        Assert.Equal(["# HELP clash_total A counter.", "# TYPE clash_total counter", "clash_total 1"], Lines(text));
        Assert.Single(logs.Lines, l => l.Contains("clash.total", StringComparison.Ordinal) && l.StartsWith("Warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_TagKeysThatSanitizeAlike_MergedIntoOneLabel()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("merged", description: "Merged labels.").Add(
            1, new KeyValuePair<string, object?>("a_b", "y"), new KeyValuePair<string, object?>("a.b", "x"));

        Assert.Contains("merged_total{a_b=\"x;y\"} 1\n", await metrics.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_Repeated_FamiliesSortedAndTextStable()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("zeta", description: "Z.").Add(1, new KeyValuePair<string, object?>("k", "v"));
        metrics.Meter.CreateObservableGauge("alpha", () => 1, description: "A.");
        metrics.Meter.CreateHistogram<double>("mid", "s", "M.").Record(0.2);

        var first = await metrics.ScrapeAsync();
        var second = await metrics.ScrapeAsync();

        Assert.Equal(first, second);
        Assert.Equal(["alpha", "mid_seconds", "zeta_total"], TypeLines().Matches(first).Select(m => m.Groups[1].Value));
    }

    [Fact]
    public async Task ScrapeAsync_Concurrent_EachGetsTheWholeExposition()
    {
        using var metrics = new TestMetrics();
        var counter = metrics.Meter.CreateCounter<long>("hits", description: "Hits.");
        for (var i = 0; i < 50; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("n", i));
        }

        var expected = await metrics.ScrapeAsync();
        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(metrics.ScrapeAsync)));

        Assert.All(all, text => Assert.Equal(expected, text));
    }

    [Fact]
    public async Task Scrape_EveryKindWithAwkwardValues_PromtoolAcceptsIt()
    {
        using var metrics = new TestMetrics();
        metrics.Meter.CreateCounter<long>("shop.orders", "{order}", "Orders \"placed\" \\ counted\nacross lines.")
            .Add(3, new KeyValuePair<string, object?>("shop", "C:\\north \"x\"\nü"));
        metrics.Meter.CreateUpDownCounter<int>("queue.depth", "{item}", "Items waiting.").Add(2);
        metrics.Meter.CreateObservableGauge("odd", () => new[] { new Measurement<double>(double.NaN), }, description: "Odd.");
        metrics.Meter.CreateObservableGauge("load", () => new Measurement<double>(double.PositiveInfinity, new KeyValuePair<string, object?>("k", "v")), "1", "Load.");
        metrics.Meter.CreateHistogram<double>("job.duration", "s", "Job time.").Record(0.3, new KeyValuePair<string, object?>("job", "a"));
        metrics.Meter.CreateHistogram<long>("payload.size", "By", "Sizes.").Record(512);
        metrics.Meter.CreateObservableUpDownCounter("pool.thread.count", () => 4, "{thread}", "Threads.");
        metrics.Meter.CreateCounter<long>("undocumented").Add(1);

        var text = await metrics.ScrapeAsync();

        Assert.Contains("load_ratio{k=\"v\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("pool_thread_count_value 4\n", text, StringComparison.Ordinal);
        await Promtool.AssertCleanAsync(text);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex("^# TYPE (\\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLines();
}
