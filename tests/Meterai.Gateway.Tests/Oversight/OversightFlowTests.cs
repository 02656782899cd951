using Meterai.Gateway.Ledger;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// The whole oversight loop against a real gateway: real probes and purchases feed the audit,
/// the audit opens and resolves flags with evidence, and the report states what the ledger holds.
/// Time is driven by a manual clock: each probe round happens "15 seconds" after the last.
/// </summary>
public abstract class OversightFlowTests(string provider) : IAsyncLifetime
{
    private const string OperatorKey = "operator-key-for-oversight-tests";
    private const string RegulatorKey = "regulator-key-for-oversight-tests";

    // Real timers: the whole gateway runs on this clock (Polly timeouts, admission waits, hosted services).
    private readonly FakeNowRealTimers _time = new(new DateTimeOffset(2024, 9, 20, 1, 0, 0, TimeSpan.Zero));
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("seller1"), Fleets.Seller("seller2"), Fleets.Seller("down"), Fleets.Seller("empty"), Fleets.Seller("idle")],
            new Dictionary<string, string?>
            {
                ["Auth:OperatorKeys:0"] = OperatorKey,
                ["Auth:RegulatorKeys:0"] = RegulatorKey,

                // Only the test runs audits and reconciliation here.
                ["Oversight:FirstAuditDelaySeconds"] = "86400",
                ["Reconciliation:IntervalSeconds"] = "86400",
            },
            services: services => services.AddSingleton<TimeProvider>(_time),
            ledgerProvider: provider);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Audit_MisbehavingDistributors_FlagsEachWithItsReasonAndEvidence()
    {
        await MisbehaveAsync();
        await SellAsync(24);
        await ProbeRoundsAsync(6);

        var audit = await AuditAsync();

        var opened = audit.GetProperty("opened").EnumerateArray().ToDictionary(f => f.GetProperty("distributorId").GetString()!, f => f);
        Assert.Equal(["down", "empty", "idle"], opened.Keys.Order());
        Assert.Equal("unreachable", opened["down"].GetProperty("reason").GetString());
        Assert.Equal("no_stock", opened["empty"].GetProperty("reason").GetString());
        Assert.Equal("no_sales", opened["idle"].GetProperty("reason").GetString());

        var unreachable = opened["down"].GetProperty("evidence");
        Assert.True(unreachable.GetProperty("probes").GetInt32() >= 6);
        Assert.True(unreachable.GetProperty("availability").GetDouble() < 0.8);
        Assert.Equal(0.8, unreachable.GetProperty("threshold").GetDouble());
        Assert.Contains("health probes", unreachable.GetProperty("summary").GetString(), StringComparison.Ordinal);

        var distributors = await GetAsync("/api/oversight/distributors", RegulatorKey);
        var states = distributors.EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("state").GetString());
        Assert.Equal("active", states["seller1"]);
        Assert.Equal("active", states["seller2"]);
        Assert.Equal("inactive", states["down"]);
        Assert.Equal("inactive", states["empty"]);
        Assert.Equal("inactive", states["idle"]);

        var open = await GetAsync("/api/oversight/flags?open=true", RegulatorKey);
        Assert.Equal(3, open.GetArrayLength());
    }

    [Fact]
    public async Task Audit_DistributorRecovers_ResolvesItsFlagAfterTheWindow()
    {
        await _gateway.Fleet["down"].SetDownAsync(DownMode.RefuseConnections);
        await ProbeRoundsAsync(6);
        var first = await AuditAsync();
        Assert.Contains(first.GetProperty("opened").EnumerateArray(), f => f.GetProperty("distributorId").GetString() == "down");

        await _gateway.Fleet["down"].SetDownAsync(DownMode.None);
        _time.Advance(TimeSpan.FromMinutes(61));
        await ProbeRoundsAsync(6);
        var second = await AuditAsync();

        var resolved = Assert.Single(second.GetProperty("resolved").EnumerateArray());
        Assert.Equal("down", resolved.GetProperty("distributorId").GetString());
        Assert.Equal("unreachable", resolved.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.String, resolved.GetProperty("resolvedAt").ValueKind);
        Assert.Equal(0, (await GetAsync("/api/oversight/flags?open=true", RegulatorKey)).GetArrayLength());
    }

    [Fact]
    public async Task Report_AfterSales_StatesWhatTheLedgerHolds()
    {
        var from = _time.GetUtcNow();
        await MisbehaveAsync();
        await SellAsync(24);
        await ProbeRoundsAsync(6);
        await AuditAsync();

        using var build = await SendAsync(HttpMethod.Post, "/api/oversight/reports", OperatorKey, new { from = from.ToString("o"), to = _time.GetUtcNow().ToString("o") });
        Assert.Equal(HttpStatusCode.Created, build.StatusCode);
        var report = await build.Content.ReadFromJsonAsync<JsonElement>();
        var id = report.GetProperty("id").GetString();
        Assert.Equal($"/api/oversight/reports/{id}", build.Headers.Location?.OriginalString);

        var ledgerSelling = await _gateway.QueryLedgerAsync<long>("SELECT COUNT(DISTINCT distributor_id) FROM purchases WHERE status = 'issued'");
        var ledgerEMeterai = await _gateway.QueryLedgerAsync<long>("SELECT SUM(quantity) FROM purchases WHERE status = 'issued'");
        var ledgerAmount = await _gateway.QueryLedgerAsync<long>("SELECT SUM(amount) FROM purchases WHERE status = 'issued'");
        Assert.Equal(5, report.GetProperty("registeredDistributors").GetInt32());
        Assert.Equal(ledgerSelling, report.GetProperty("soldDistributors").GetInt32());
        Assert.Equal(ledgerEMeterai, report.GetProperty("totals").GetProperty("eMeteraiIssued").GetInt32());
        Assert.Equal(ledgerAmount, report.GetProperty("totals").GetProperty("amountIssued").GetInt64());
        foreach (var row in report.GetProperty("distributors").EnumerateArray())
        {
            var distributorId = row.GetProperty("id").GetString();
            var orders = await _gateway.QueryLedgerAsync<long>(
                "SELECT COUNT(*) FROM purchases WHERE status = 'issued' AND distributor_id = @distributorId", new { distributorId });
            Assert.Equal(orders, row.GetProperty("ordersIssued").GetInt32());
        }

        var findings = report.GetProperty("findings").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.StartsWith("The gateway observed ", findings[0], StringComparison.Ordinal);
        Assert.StartsWith($"Of 5 registered distributors, {ledgerSelling} sold e-Meterai to the public between", findings[1], StringComparison.Ordinal);

        using var csv = await SendAsync(HttpMethod.Get, $"/api/oversight/reports/{id}", RegulatorKey, accept: "text/csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(6, (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        using var html = await SendAsync(HttpMethod.Get, $"/api/oversight/reports/{id}", RegulatorKey, accept: "text/html");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains(ReaderClock.Wib.Localise(findings[1]!), System.Net.WebUtility.HtmlDecode(await html.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        // A stored report never changes: later sales do not alter it.
        await SellAsync(5);
        using var again = await SendAsync(HttpMethod.Get, $"/api/oversight/reports/{id}", RegulatorKey, accept: "application/json");
        Assert.Equal(report.GetRawText(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetRawText());

        var list = await GetAsync("/api/oversight/reports", RegulatorKey);
        Assert.Equal(id, list[0].GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("""{"to":"2024-09-20T02:00:00Z"}""", "from")]
    [InlineData("""{"from":"yesterday","to":"2024-09-20T02:00:00Z"}""", "from")]
    [InlineData("""{"from":"2024-09-20T02:00:00Z","to":"2024-09-20T01:00:00Z"}""", "to")]
    [InlineData("""{"from":"2024-09-20T00:00:00Z","to":"2030-01-01T00:00:00Z"}""", "to")]
    [InlineData("not json", "body")]
    public async Task BuildReport_BadPeriod_Returns400NamingField(string body, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/oversight/reports") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", OperatorKey);
        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0L, await _gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM reports"));
    }

    private async Task MisbehaveAsync()
    {
        await _gateway.Fleet["down"].SetDownAsync(DownMode.RefuseConnections);
        _gateway.Fleet["empty"].SetStock(0);
        _gateway.Fleet["idle"].Behavior.Idle = IdleMode.RefuseOrders;
    }

    private async Task SellAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await _gateway.PurchaseAsync($"oversight-{Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    private async Task ProbeRoundsAsync(int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(15));
            await _gateway.ProbeNowAsync();
        }
    }

    private async Task<JsonElement> AuditAsync()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/oversight/audit", OperatorKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetAsync(string path, string key)
    {
        using var response = await SendAsync(HttpMethod.Get, path, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body = null, string? accept = null) =>
        _gateway.Client.SendWithKeyAsync(method, path, key, body, accept);
}

public sealed class OversightFlowSqliteTests() : OversightFlowTests(LedgerProviders.Sqlite);

public sealed class OversightFlowPostgresTests() : OversightFlowTests(LedgerProviders.Postgres);
