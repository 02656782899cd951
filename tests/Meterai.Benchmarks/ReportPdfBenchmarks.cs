using BenchmarkDotNet.Attributes;
using Meterai.Gateway.Oversight;

namespace Meterai.Benchmarks;

/// <summary>
/// Rendering one oversight report as a PDF (PDFsharp, the embedded DejaVu font): the demo's 26
/// distributors with their hourly timeline, over a day and over a month (744 hours).
/// </summary>
[MemoryDiagnoser]
public class ReportPdfBenchmarks
{
    private static readonly DateTimeOffset From = new(2024, 9, 1, 0, 0, 0, TimeSpan.FromHours(7));

    private OversightReport _report = null!;

    [Params(24, 744)]
    public int Hours { get; set; }

    /// <summary>Bytes of the last PDF rendered, for docs/benchmarks.md.</summary>
    public int LastSize { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var ids = Enumerable.Range(1, 26).Select(i => (Id: $"d{i:D2}", Name: $"PT Distributor {i:D2}")).ToList();
        var hours = Enumerable.Range(0, Hours).Select(h => From.AddHours(h)).ToList();
        var fleet = hours.Select((h, i) => new FleetHour(h, 300 + (i % 50), 320 + (i % 50), i % 7 * 40, 340 + (i % 90), 400, 10)).ToList();
        var timelines = ids.Select((d, n) => new DistributorTimeline(
            d.Id, d.Name, hours.Select((h, i) => new DistributorHour(h, n < 10 ? 0.99 : 0.2, n < 10 ? 30 + (i % 5) : 0, n < 10 ? 32 : 0, n < 10 ? 40 : null)).ToList())).ToList();
        var rows = ids.Select((d, n) => new ReportDistributorRow(
            d.Id, d.Name, n < 10 ? "active" : "inactive", n < 10 ? 0.99 : 0.2, Hours * 240, n < 10 ? 3 : 200,
            n < 10 ? Hours * 30 : 0, n < 10 ? Hours * 32 : 0, n % 3, n % 4, n % 2, n % 2 * 10_000, n % 3, n % 3 * 10_000,
            n < 10 ? [] : ["no_sales"])).ToList();
        _report = new OversightReport(
            "rep_benchmark", From, From.AddHours(Hours), From.AddHours(Hours), 26, 10,
            ["Of 26 registered distributors, 10 sold to the public.", "16 distributors sold nothing in the period."],
            new ReportTotals(Hours * 300, Hours * 320, Hours * 3_200_000L, 12, 3, 30_000, 5, 50_000),
            rows, new ReportTimeline(fleet, timelines));
    }

    [Benchmark]
    public int Render() => LastSize = ReportPdf.Write(_report, ReaderClock.Wib).Length;
}
