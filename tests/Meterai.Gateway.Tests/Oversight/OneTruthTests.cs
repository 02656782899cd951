using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Apis;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;
using UglyToad.PdfPig;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// Issue 29, "one truth on every page": one period on a real gateway with a demo-like fleet
/// (sellers, one with no stock, one refusing every order, one down) and a real SQLite ledger.
/// Every surface gives the same number of distributors selling now, sold in the period and active.
/// </summary>
public sealed partial class OneTruthTests : IAsyncLifetime
{
    private readonly FakeNowRealTimers _time = new(new DateTimeOffset(2026, 12, 7, 1, 4, 0, TimeSpan.Zero));
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        var settings = OversightKeys.Settings();
        settings["Oversight:FirstAuditDelaySeconds"] = "86400";
        settings["Reconciliation:IntervalSeconds"] = "86400";
        _gateway = await GatewayHarness.StartAsync(
        [
            Fleets.Seller("s01"), Fleets.Seller("s02"), Fleets.Seller("s03"),
            Fleets.Seller("empty", stock: 0),
            new SimulatedDistributorOptions { Id = "refuser", Name = "PT Uji refuser", InitialStock = 1_000_000, Behavior = new DistributorBehavior { Idle = IdleMode.RefuseOrders } },
            Fleets.Seller("down"),
        ],
            settings,
            services: s => s.AddSingleton<TimeProvider>(_time));
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task EverySurface_OnePeriod_SaysTheSameSellingSoldAndActive()
    {
        var from = _time.GetUtcNow();
        await _gateway.Fleet["down"].SetDownAsync(DownMode.RefuseConnections);
        await _gateway.ProbeNowAsync();

        // Sales until the refusing distributor has been offered (and refused) orders.
        for (var i = 0; i < 200; i++)
        {
            using var purchase = await _gateway.PurchaseAsync($"one-truth-{i:D4}");
            Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
            if (i >= 20 && await _gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchase_attempts WHERE distributor_id = 'refuser'") > 0)
            {
                break;
            }
        }

        for (var round = 0; round < 6; round++)
        {
            _time.Advance(TimeSpan.FromSeconds(15));
            await _gateway.ProbeNowAsync();
        }

        using (var audit = await SendAsync(HttpMethod.Post, "/api/oversight/audit", OversightKeys.Operator))
        {
            Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        }

        using var build = await SendAsync(HttpMethod.Post, "/api/oversight/reports", OversightKeys.Operator, new { from = from.ToString("o"), to = _time.GetUtcNow().ToString("o") });
        Assert.Equal(HttpStatusCode.Created, build.StatusCode);
        var id = (await build.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var path = $"/api/oversight/reports/{id}";

        // /api/status and the regulators' API.
        var status = await StatusApiTests.GetStatusAsync(_gateway);
        var distributors = (await JsonAsync("/api/oversight/distributors")).EnumerateArray().ToList();

        // The report in its four forms.
        var json = await JsonAsync(path);
        var csv = (await TextAsync(path, "text/csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        var html = WebUtility.HtmlDecode(await TextAsync(path, "text/html"));
        using var pdfResponse = await SendAsync(HttpMethod.Get, path, OversightKeys.Regulator, accept: "application/pdf");
        using var pdf = PdfDocument.Open(await pdfResponse.Content.ReadAsByteArrayAsync());
        var pdfText = Squeeze(string.Concat(pdf.GetPages().Select(p => p.Text)));
        var home = WebUtility.HtmlDecode(await TextAsync("/oversight", "text/html"));
        string HomeFigure(string id) => HtmlFigure().Match(home[home.IndexOf($"id=\"{id}\"", StringComparison.Ordinal)..]).Groups[1].Value;
        int Column(string name) => Array.IndexOf(csv[0], name);
        var rows = csv.Skip(1).Where(r => r[Column("state")] != "removed").ToList();

        // Selling now: s01-s03 (not empty: no stock; not refuser: refusing orders; not down).
        const int selling = 3;
        Assert.Equal(selling, status.GetProperty("sellingDistributors").GetInt32());
        Assert.Equal(selling, distributors.Count(d => d.GetProperty("sellingNow").GetBoolean()));
        Assert.Equal(selling, json.GetProperty("sellingWhenBuilt").GetInt32());
        Assert.Equal(selling, rows.Count(r => r[Column("selling_when_built")] == "true"));
        Assert.Equal(selling.ToString(), HtmlFigure().Match(html[html.IndexOf("id=\"selling\"", StringComparison.Ordinal)..]).Groups[1].Value);
        Assert.Contains(Squeeze($"Selling when the report was built {selling}"), pdfText, StringComparison.Ordinal);
        Assert.Equal(selling.ToString(), HomeFigure("selling-now"));

        // Sold in the period (issued at least one order): the same three, and nobody else.
        const int sold = 3;
        Assert.Equal(sold, distributors.Count(d => d.GetProperty("issued").GetInt32() > 0));
        Assert.Equal(sold, json.GetProperty("soldDistributors").GetInt32());
        Assert.Equal(sold, rows.Count(r => int.Parse(r[Column("orders_issued")]) > 0));
        Assert.Equal(sold.ToString(), HtmlFigure().Match(html[html.IndexOf("id=\"sold\"", StringComparison.Ordinal)..]).Groups[1].Value);
        Assert.Contains(Squeeze($"Sold in the period {sold}"), pdfText, StringComparison.Ordinal);
        Assert.Equal(sold.ToString(), HomeFigure("sold"));

        // Active (no flag open): the three sellers; empty, refuser and down are flagged.
        const int active = 3;
        Assert.Equal(active, distributors.Count(d => d.GetProperty("state").GetString() == "active"));
        Assert.Equal(active, json.GetProperty("activeDistributors").GetInt32());
        Assert.Equal(active, rows.Count(r => r[Column("state")] == "active"));
        Assert.Equal(active.ToString(), HtmlFigure().Match(html[html.IndexOf("id=\"active\"", StringComparison.Ordinal)..]).Groups[1].Value);
        Assert.Contains(Squeeze($"Active {active}"), pdfText, StringComparison.Ordinal);
        Assert.Equal(active.ToString(), HomeFigure("active"));

        // The sentence that says all three is the same in every form.
        var sentence = json.GetProperty("findings").EnumerateArray().Select(f => f.GetString()!).Single(f => f.StartsWith("Of 6 registered distributors,", StringComparison.Ordinal));
        Assert.Contains($"{sold} sold e-Meterai", sentence, StringComparison.Ordinal);
        Assert.Contains($"{selling} were selling", sentence, StringComparison.Ordinal);
        Assert.Contains($"{active} were active", sentence, StringComparison.Ordinal);
        // A person reads its times in WIB; the JSON keeps UTC.
        Assert.Contains(ReaderClock.Wib.Localise(sentence), html, StringComparison.Ordinal);
        Assert.Contains(Squeeze(ReaderClock.Wib.Localise(sentence)), pdfText, StringComparison.Ordinal);

        // Refused orders are failures, in the JSON and the CSV alike, and equal the ledger's.
        var refused = await _gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM purchase_attempts WHERE distributor_id = 'refuser' AND outcome IN ('refused', 'sold_out')");
        Assert.True(refused > 0);
        var refuser = json.GetProperty("distributors").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "refuser");
        Assert.Equal(refused, refuser.GetProperty("failures").GetInt32());
        Assert.Equal(refused, refuser.GetProperty("refused").GetInt32());
        Assert.Equal(refused.ToString(), rows.Single(r => r[0] == "refuser")[Column("failures")]);

        // Availability counts stock and refusals: healthy but not able to sell is 0%.
        var rowsById = json.GetProperty("distributors").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);
        Assert.Equal(0, rowsById["empty"].GetProperty("availability").GetDouble());
        Assert.Equal(1, rowsById["empty"].GetProperty("reachability").GetDouble());
        Assert.Equal(0, rowsById["refuser"].GetProperty("availability").GetDouble());
        Assert.Equal(1, rowsById["s01"].GetProperty("availability").GetDouble());
        var api = distributors.ToDictionary(d => d.GetProperty("id").GetString()!);
        Assert.Equal(0, api["empty"].GetProperty("availability").GetDouble());
        Assert.Equal(0, api["refuser"].GetProperty("availability").GetDouble());

        // Coverage is stated in every form.
        var coverage = json.GetProperty("coverage");
        Assert.True(coverage.GetProperty("observedSeconds").GetDouble() > 0);
        Assert.Contains("Coverage: the gateway observed", html, StringComparison.Ordinal);
        Assert.Contains(Squeeze("Coverage: the gateway observed"), pdfText, StringComparison.Ordinal);
        Assert.NotEqual("", rows[0][Column("observed_seconds")]);
    }

    [GeneratedRegex(">(\\d+)")]
    private static partial Regex HtmlFigure();

    private static string Squeeze(string text) => Regex.Replace(text, "\\s+", "");

    private async Task<JsonElement> JsonAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, OversightKeys.Regulator, accept: "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> TextAsync(string path, string accept)
    {
        using var response = await SendAsync(HttpMethod.Get, path, OversightKeys.Regulator, accept: accept);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body = null, string? accept = null) =>
        _gateway.Client.SendWithKeyAsync(method, path, key, body, accept);
}
