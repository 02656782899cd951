using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Dapper;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using UglyToad.PdfPig;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// A report over two hours of real sales and real 503 refusals: its hourly figures equal the
/// ledger's, its charts are well-formed SVG, and its PDF holds the same findings.
/// </summary>
public sealed partial class ReportEvidenceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Nine.AddMinutes(10));
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        var settings = OversightKeys.Settings();
        settings["Oversight:FirstAuditDelaySeconds"] = "86400";
        settings["Oversight:EvidenceSampleSeconds"] = "3600";
        settings["Reconciliation:IntervalSeconds"] = "86400";
        _gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", capacity: 4), Fleets.Seller("d02", capacity: 8), Fleets.Seller("d03", capacity: 2)],
            settings,
            services: s => s.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Report_SalesAndRefusals_HourlyFiguresEqualTheLedgerAndEveryFormatSaysTheSame()
    {
        // 09:xx: five sales, then the whole fleet down and three applicants refused (503).
        await SellAsync(5);
        foreach (var d in _gateway.Fleet.Distributors)
        {
            await d.SetDownAsync(DownMode.RefuseConnections);
        }

        await _gateway.ProbeNowAsync();
        for (var i = 0; i < 3; i++)
        {
            using var refused = await _gateway.PurchaseAsync($"refused-{i}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        // 10:xx: back up, two sales; then the evidence job stores the refusals and samples capacity.
        foreach (var d in _gateway.Fleet.Distributors)
        {
            await d.SetDownAsync(DownMode.None);
        }

        _clock.Advance(TimeSpan.FromHours(1));
        await _gateway.ProbeNowAsync();
        await SellAsync(2);
        var job = ActivatorUtilities.CreateInstance<HourlyEvidenceJob>(_gateway.Services);
        await job.FlushRefusalsAsync(CancellationToken.None);
        var samples = await job.SampleCapacityAsync(CancellationToken.None);
        _clock.SetUtcNow(Nine.AddHours(2));

        using var build = await SendAsync(HttpMethod.Post, "/api/oversight/reports", OversightKeys.Operator, body: new { from = Nine.ToString("o"), to = Nine.AddHours(2).ToString("o") });
        Assert.Equal(HttpStatusCode.Created, build.StatusCode);
        var report = (await build.Content.ReadFromJsonAsync<OversightReport>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;

        // The numbers equal the ledger's.
        var timeline = report.Timeline!;
        Assert.Equal([Nine, Nine.AddHours(1)], timeline.Fleet.Select(h => h.Hour));
        foreach (var hour in timeline.Fleet)
        {
            var p = new { from = hour.Hour.ToUnixTimeMilliseconds(), to = hour.Hour.AddHours(1).ToUnixTimeMilliseconds() };
            var sold = await ScalarAsync("SELECT COUNT(*) FROM purchase_attempts WHERE outcome IN ('issued', 'pending') AND started_at >= @from AND started_at < @to", p);
            var served = await ScalarAsync("SELECT COUNT(*) FROM purchase_attempts WHERE outcome IN ('issued', 'pending', 'ambiguous') AND started_at >= @from AND started_at < @to", p);
            var refused = await ScalarAsync("SELECT COALESCE(SUM(refused), 0) FROM refusals_hourly WHERE hour_start = @from", p);
            Assert.Equal(sold, hour.Sold);
            Assert.Equal(refused, hour.Refused);
            Assert.Equal(served + refused, hour.Demand);
        }

        Assert.Equal([5, 2], timeline.Fleet.Select(h => h.Sold));
        Assert.Equal([3, 0], timeline.Fleet.Select(h => h.Refused));
        foreach (var d in timeline.Distributors)
        {
            var sold = await ScalarAsync("SELECT COUNT(*) FROM purchase_attempts WHERE outcome IN ('issued', 'pending') AND distributor_id = @id", new { id = d.Id });
            Assert.Equal(sold, d.Hours.Sum(h => h.Sold));
        }

        var ten = Nine.AddHours(1).ToUnixTimeMilliseconds();
        var capacity = await DoubleAsync("SELECT SUM(capacity_per_hour_total / samples) FROM capacity_hourly WHERE hour_start = @ten", new { ten });
        Assert.Equal(capacity, timeline.Fleet[1].CapacityPerHour!.Value, 6);
        foreach (var sample in samples.Where(s => s.ServiceMs is not null))
        {
            Assert.Equal(_gateway.State(sample.DistributorId).ConcurrencyLimit * 3_600_000d / sample.ServiceMs!.Value, sample.CapacityPerHour, 6);
        }

        Assert.Equal(Nine, report.Headroom!.PeakHour);
        Assert.Equal(8, report.Headroom.PeakDemand);
        Assert.Contains(report.Findings, f => f.StartsWith("At the peak, in the hour from 30 November 2026 09:00 UTC, applicants asked for 8 purchases per hour", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.StartsWith("3 requests were refused for lack of capacity (503); the most in one hour was 3", StringComparison.Ordinal));

        // The page: one fleet chart and one per distributor, each well-formed SVG, and the PDF link.
        using var html = await SendAsync(HttpMethod.Get, $"/api/oversight/reports/{report.Id}", OversightKeys.Regulator, accept: "text/html");
        var page = await html.Content.ReadAsStringAsync();
        var svgs = SvgElement().Matches(page).Select(m => XDocument.Parse(m.Value)).ToList();
        Assert.Equal(1 + 3, svgs.Count);
        Assert.All(svgs, svg => Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), svg.Root!.Name));
        Assert.All(svgs, svg => Assert.NotEmpty(svg.Root!.Elements(XName.Get("title", "http://www.w3.org/2000/svg"))));
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"href=\"/oversight/reports/{report.Id}/pdf\"", page, StringComparison.Ordinal);

        // Hours as a person in Jakarta reads them; the method one click away, not as a repository path.
        Assert.Contains("<th>Hour (WIB)</th>", page, StringComparison.Ordinal);
        Assert.Contains("Hours in WIB.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/oversight/rules\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("docs/oversight-rules.md", page, StringComparison.Ordinal);

        // The PDF, by Accept on the API and by the page's link: the same findings, A4 pages.
        using var pdf = await SendAsync(HttpMethod.Get, $"/api/oversight/reports/{report.Id}", OversightKeys.Regulator, accept: "application/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        using (var document = PdfDocument.Open(bytes))
        {
            Assert.InRange(document.NumberOfPages, 2, 6);
            Assert.All(document.GetPages(), p => Assert.Equal(595, Math.Round(p.Width)));
            var text = Squeeze(string.Concat(document.GetPages().Select(p => p.Text)));
            Assert.All(report.Findings, f => Assert.Contains(Squeeze(ReaderClock.Wib.Localise(f)), text, StringComparison.Ordinal));
            Assert.All(report.Distributors, d => Assert.Contains(Squeeze(d.Name), text, StringComparison.Ordinal));
        }

        using var link = await SendAsync(HttpMethod.Get, $"/oversight/reports/{report.Id}/pdf", OversightKeys.Regulator);
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        Assert.Equal("application/pdf", link.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", link.Content.Headers.ContentDisposition?.DispositionType);
        Assert.True((await link.Content.ReadAsByteArrayAsync()).AsSpan().StartsWith("%PDF-"u8));
    }

    [Fact]
    public async Task OversightPage_LastDay_ShowsFleetChartAsSvg()
    {
        await SellAsync(3);
        await ActivatorUtilities.CreateInstance<HourlyEvidenceJob>(_gateway.Services).SampleCapacityAsync(CancellationToken.None);

        using var response = await SendAsync(HttpMethod.Get, "/oversight", OversightKeys.Regulator);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var svgs = SvgElement().Matches(page).Select(m => XDocument.Parse(m.Value)).ToList();
        // Each distributor's own charts are on its page (/oversight/distributors/{id}), which keeps this one short.
        Assert.Single(svgs);
        Assert.Contains("id=\"fleet-chart\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReport_AcceptPdfNotOffered_Returns406NamingPdf()
    {
        using var build = await SendAsync(HttpMethod.Post, "/api/oversight/reports", OversightKeys.Operator, body: new { from = Nine.ToString("o"), to = Nine.AddMinutes(5).ToString("o") });
        var id = (await build.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var response = await SendAsync(HttpMethod.Get, $"/api/oversight/reports/{id}", OversightKeys.Regulator, accept: "image/png");

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Contains("application/pdf", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("<svg[\\s\\S]*?</svg>")]
    private static partial Regex SvgElement();

    private static string Squeeze(string text) => Regex.Replace(System.Net.WebUtility.HtmlDecode(text), "\\s+", "");

    private async Task SellAsync(int count)
    {
        // Each clock read moves time a little, so an order takes a measurable (fake) time.
        _clock.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        for (var i = 0; i < count; i++)
        {
            using var response = await _gateway.PurchaseAsync($"evidence-{Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        _clock.AutoAdvanceAmount = TimeSpan.Zero;
    }

    private async Task<long> ScalarAsync(string sql, object parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={_gateway.LedgerPath}");
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    private async Task<double> DoubleAsync(string sql, object parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={_gateway.LedgerPath}");
        return await connection.ExecuteScalarAsync<double>(sql, parameters);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body = null, string? accept = null) =>
        _gateway.Client.SendWithKeyAsync(method, path, key, body, accept);
}
