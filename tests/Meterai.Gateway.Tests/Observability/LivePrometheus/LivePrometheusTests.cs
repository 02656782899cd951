using System.Net;
using Meterai.Gateway.Tests.Observability.Dashboards;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Xunit.Abstractions;

namespace Meterai.Gateway.Tests.Observability.LivePrometheus;

/// <summary>
/// Every panel query of every dashboard, evaluated by a real Prometheus that scraped a real
/// gateway's /metrics after real purchase traffic (issued, a 400, a 503 by selling out). A query
/// that returns nothing is a panel that shows "No data": a broken dashboard, or a family or label
/// the gateway does not export (docs/api/gateway-api.md, "SREs").
/// </summary>
// Alone: it waits on real scrape intervals.
[Collection(LiveMetrics.Name)]
public sealed class LivePrometheusTests(ITestOutputHelper output)
{
    /// <summary>What $__rate_interval and $__interval become: longer than the whole test, so every rate sees all its samples.</summary>
    private static readonly TimeSpan RateInterval = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan Range = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task DashboardQueries_RealGatewayAfterTraffic_EveryQueryReturnsData()
    {
        var down = Fleets.Seller("d03");
        down.Behavior.Down = DownMode.RefuseConnections;
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01"), Fleets.Seller("d02", stock: 3), down],
            new Dictionary<string, string?> { ["Metrics:LedgerGaugeRefreshSeconds"] = "1" });
        await using var prometheus = await PrometheusProcess.StartAsync($"{gateway.BaseAddress.Host}:{gateway.BaseAddress.Port}");

        try
        {
            await prometheus.WaitForScrapesAsync(2, DateTimeOffset.UtcNow.AddMinutes(-1), ScrapeWait);

            // Phase 1: purchases issued, one rejected, a probe round. Then scrapes, so that every
            // counter has a sample before phase 2 raises it and its rate is real.
            var sequence = 0;
            for (var i = 0; i < 3; i++)
            {
                await ExpectAsync(gateway.PurchaseAsync($"live-prometheus-{++sequence:D4}"), HttpStatusCode.Created);
            }

            await ExpectAsync(gateway.PurchaseRawAsync($"live-prometheus-{++sequence:D4}", """{"quantity":0,"applicantRef":"a"}"""), HttpStatusCode.BadRequest);
            await gateway.ProbeNowAsync();
            await prometheus.WaitForScrapesAsync(2, DateTimeOffset.UtcNow, ScrapeWait);

            // Phase 2: d01 sells out, d02 sells its last and sells out too: a 503. Then d01 is
            // restocked and probed, and sells again.
            var d01 = gateway.Fleet.Distributors.Single(d => d.Id == "d01");
            d01.SetStock(0);
            var unavailable = false;
            for (var i = 0; i < 12 && !unavailable; i++)
            {
                using var response = await gateway.PurchaseAsync($"live-prometheus-{++sequence:D4}");
                unavailable = response.StatusCode == HttpStatusCode.ServiceUnavailable;
            }

            Assert.True(unavailable, "selling out d01 and d02 should have made the gateway answer 503");
            d01.SetStock(1_000_000);
            await gateway.ProbeNowAsync();
            for (var i = 0; i < 3; i++)
            {
                await ExpectAsync(gateway.PurchaseAsync($"live-prometheus-{++sequence:D4}"), HttpStatusCode.Created);
            }

            await ExpectAsync(gateway.PurchaseRawAsync($"live-prometheus-{++sequence:D4}", """{"quantity":0,"applicantRef":"a"}"""), HttpStatusCode.BadRequest);
            await gateway.ProbeNowAsync();
            await prometheus.WaitForScrapesAsync(3, DateTimeOffset.UtcNow, ScrapeWait);

            await AssertEveryQueryReturnsDataAsync(prometheus);
        }
        catch
        {
            output.WriteLine("Prometheus log:");
            output.WriteLine(prometheus.Log);
            throw;
        }
    }

    /// <summary>
    /// The same against <see cref="FakeExposition"/>, the families as docs/api/gateway-api.md describes them: it
    /// tells a broken dashboard from a gateway that exports something else. Run it with
    /// METERAI_FAKE_EXPOSITION=1.
    /// </summary>
    [FakeExpositionFact]
    public async Task DashboardQueries_FakeExposition_EveryQueryReturnsData()
    {
        await using var fake = await FakeExposition.StartAsync();
        await using var prometheus = await PrometheusProcess.StartAsync(fake.Target);
        await prometheus.WaitForScrapesAsync(5, DateTimeOffset.UtcNow.AddMinutes(-1), ScrapeWait);

        await AssertEveryQueryReturnsDataAsync(prometheus);
    }

    private static async Task ExpectAsync(Task<HttpResponseMessage> request, HttpStatusCode expected)
    {
        using var response = await request;
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task AssertEveryQueryReturnsDataAsync(PrometheusProcess prometheus)
    {
        var queries = Dashboard.LoadAll().SelectMany(d => d.Queries).ToList();
        Assert.NotEmpty(queries);

        var failures = new List<string>();
        foreach (var query in queries)
        {
            var promql = Dashboard.Substitute(query.Expr, RateInterval, Range);
            try
            {
                var result = await prometheus.QueryAsync(promql);
                var values = result.EnumerateArray().Select(PrometheusProcess.ValueOf).ToList();
                output.WriteLine($"{query}: {values.Count} series [{string.Join(", ", values.Take(5))}]");
                if (values.Count == 0)
                {
                    failures.Add($"{query}: no data for {promql}");
                }
                else if (values.All(v => !double.IsFinite(v)))
                {
                    failures.Add($"{query}: only NaN/Inf ({string.Join(", ", values.Take(3))}) for {promql}");
                }
            }
            catch (PromQlException ex)
            {
                failures.Add($"{query}: Prometheus refused the query: {ex.Message}: {promql}");
            }
        }

        // The alert and recording rules, on the same real data: each evaluates without error.
        var rules = await prometheus.RulesAsync();
        Assert.NotEmpty(rules);
        failures.AddRange(rules.Where(r => r.Health == "err").Select(r => $"rule {r.Name}: {r.Error}"));

        // A fallback (`or vector(0)`) gives data even for a misspelt name: every name a query reads must be scraped or recorded.
        var present = await prometheus.QueryAsync("count by (__name__) ({__name__=~\".+\", job=\"" + PrometheusProcess.Job + "\"})");
        var names = present.EnumerateArray().Select(s => s.GetProperty("metric").GetProperty("__name__").GetString()!).ToHashSet(StringComparer.Ordinal);
        names.UnionWith(rules.Select(r => r.Name));
        failures.AddRange(queries.SelectMany(q => Dashboard.MetricNamesIn(q.Expr).Where(n => !names.Contains(n)).Select(n => $"{q}: {n} is neither scraped nor recorded")));

        if (failures.Count > 0)
        {
            failures.Add("Families Prometheus has from the target: " + string.Join(", ", names.Order(StringComparer.Ordinal)));
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}

/// <summary>A fact that runs only with METERAI_FAKE_EXPOSITION=1: CI runs the real gateway's test.</summary>
public sealed class FakeExpositionFactAttribute : FactAttribute
{
    public FakeExpositionFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("METERAI_FAKE_EXPOSITION") != "1")
        {
            Skip = "Set METERAI_FAKE_EXPOSITION=1 to check the dashboards against the spec's families without the gateway.";
        }
    }
}
