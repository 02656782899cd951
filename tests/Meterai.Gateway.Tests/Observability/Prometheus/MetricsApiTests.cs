using System.Net;
using Meterai.Gateway.Observability.Prometheus;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Observability.Prometheus;

/// <summary>GET /metrics on the real Program (GatewayHarness), checked by the real promtool.</summary>
[Collection(LiveMetrics.Name)]
public sealed class MetricsApiTests
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
        Assert.Equal(PrometheusScraper.ContentType, response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();

        await Promtool.AssertCleanAsync(text);
        Assert.Contains("# TYPE meterai_purchases_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("meterai_purchases_total{distributor=\"d0", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE meterai_purchase_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("meterai_purchase_duration_seconds_bucket{outcome=\"issued\",le=\"30\"} ", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE meterai_distributor_up gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/api/purchases\"", text, StringComparison.Ordinal);
    }
}
