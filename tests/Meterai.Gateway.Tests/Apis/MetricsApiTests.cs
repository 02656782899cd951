using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>GET /metrics on the real Program (GatewayHarness), checked by the real promtool.</summary>
public sealed partial class MetricsApiTests
{
    [Fact]
    public async Task GetMetrics_LiveGatewayAfterPurchases_PromtoolAcceptsItAndSpecFamiliesPresent()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02")]);
        for (var i = 0; i < 5; i++)
        {
            using var purchase = await gateway.PurchaseAsync($"metrics-promtool-{Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
        }

        using var response = await gateway.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();

        await Promtool.AssertCleanAsync(text);
        Assert.Contains("# TYPE meterai_purchases_total counter\n", text, StringComparison.Ordinal);
        Assert.Equal(5, Sum(text, "meterai_purchases_total", "outcome=\"issued\""));
        Assert.Contains("# TYPE meterai_purchase_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("meterai_purchase_duration_seconds_bucket{outcome=\"issued\",le=\"30\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE meterai_distributor_up gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("endpoint=\"/api/purchases\"", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_cpu_seconds_total counter\n", text, StringComparison.Ordinal);
    }

    /// <summary>Issue 8 item 12, docs/api/gateway-api.md "SREs": series whose label values are known in advance start at 0.</summary>
    [Fact]
    public async Task GetMetrics_FirstScrapeBeforeAnyPurchase_EveryKnownSeriesPresentAtZero()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02")]);

        var text = await gateway.Client.GetStringAsync("/metrics");

        List<string> missing = [];
        void Expect(string series)
        {
            if (!text.Contains('\n' + series + '\n', StringComparison.Ordinal))
            {
                missing.Add(series);
            }
        }

        foreach (var distributor in new[] { "d01", "d02", GatewayMetrics.NoDistributor })
        {
            foreach (var outcome in PurchaseOutcomes.All)
            {
                Expect($"meterai_purchases_total{{distributor=\"{distributor}\",outcome=\"{outcome}\"}} 0");
            }
        }

        foreach (var outcome in PurchaseOutcomes.All)
        {
            Expect($"meterai_purchase_duration_seconds_count{{outcome=\"{outcome}\"}} 0");
            Expect($"meterai_purchase_replays_total{{outcome=\"{outcome}\"}} 0");
        }

        foreach (var reason in AdmissionRejections.All)
        {
            Expect($"meterai_admission_rejected_total{{reason=\"{reason}\"}} 0");
        }

        Expect("meterai_admission_refused_with_room_total 0");

        foreach (var distributor in new[] { "d01", "d02" })
        {
            // Learning starts every distributor at Capacity:InitialLimit, below its maxConcurrency.
            Expect($"meterai_distributor_concurrency_limit{{distributor=\"{distributor}\"}} {new Meterai.Gateway.Capacity.CapacityOptions().InitialLimit}");
            Expect($"meterai_distributor_max_concurrency{{distributor=\"{distributor}\"}} 16");
            Expect($"meterai_distributor_inflight{{distributor=\"{distributor}\"}} 0");
            Expect($"meterai_distributor_active{{distributor=\"{distributor}\"}} 1");
            Expect($"meterai_distributor_attempts_total{{distributor=\"{distributor}\",result=\"sold_out\"}} 0");
        }

        foreach (var reason in new[] { "unreachable", "no_stock", "no_sales", "undelivered" })
        {
            Expect($"meterai_flags_open{{reason=\"{reason}\"}} 0");
        }

        Expect("meterai_purchases_unresolved 0");
        Expect("meterai_refunds_due 0");

        // Issue 28: the line is empty before the first rush, and its families are there to graph.
        Expect("meterai_queue_length 0");
        Expect("meterai_queue_places_taken_total 0");
        Expect("meterai_queue_places_lost_total 0");
        Expect("meterai_queue_wait_seconds_count 0");
        Expect("meterai_queue_wait_seconds_bucket{le=\"+Inf\"} 0");
        Expect("# TYPE meterai_queue_length gauge");
        Expect("# TYPE meterai_queue_places_taken_total counter");
        Expect("# TYPE meterai_queue_places_lost_total counter");
        Expect("# TYPE meterai_queue_wait_seconds histogram");
        Assert.True(missing.Count == 0, "missing from the first scrape:\n" + string.Join('\n', missing));
    }

    /// <summary>Issue 8 item 10: a replay returns the stored answer and sells nothing, so it is not a sale.</summary>
    [Fact]
    public async Task PurchaseAnswered_SameKeyAgain_CountedAsReplayNotAsSecondSale()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var key = $"metrics-replay-{Guid.NewGuid():N}";
        using (var first = await gateway.PurchaseAsync(key))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using (var replay = await gateway.PurchaseAsync(key))
        {
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        }

        var text = await gateway.Client.GetStringAsync("/metrics");

        Assert.Equal(1, Sum(text, "meterai_purchases_total", "outcome=\"issued\""));
        Assert.Equal(1, Sum(text, "meterai_purchase_duration_seconds_count", "outcome=\"issued\""));
        Assert.Equal(1, Sum(text, "meterai_purchase_replays_total", "outcome=\"issued\""));
        Assert.Equal(1, gateway.TotalOrders);
    }

    /// <summary>The simulated distributors run their own Kestrel in the test process, as the demo fleet does in the gateway's.</summary>
    [Fact]
    public async Task GetMetrics_SimulatorsInSameProcess_OnlyThisGatewaysKestrelExported()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02")]);
        using (var purchase = await gateway.PurchaseAsync($"metrics-kestrel-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
        }

        var text = await gateway.Client.GetStringAsync("/metrics");

        var ports = ServerPort().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal([gateway.BaseAddress.Port.ToString(CultureInfo.InvariantCulture)], ports);
        Assert.DoesNotContain("\nhttp_client_", text, StringComparison.Ordinal);
        Assert.Contains("httpclient_requests_sent_total{", text, StringComparison.Ordinal);
    }

    /// <summary>Adds the values of every <paramref name="family"/> sample whose labels contain <paramref name="label"/>.</summary>
    private static double Sum(string exposition, string family, string label) =>
        exposition.Split('\n')
            .Where(l => l.StartsWith(family + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    [GeneratedRegex("^microsoft_aspnetcore_server_kestrel_kestrel_active_connections\\{[^}]*server_port=\"(\\d+)\"", RegexOptions.Multiline)]
    private static partial Regex ServerPort();
}
