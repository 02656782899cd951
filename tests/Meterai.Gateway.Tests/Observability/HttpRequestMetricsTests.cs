using Meterai.Gateway.Observability;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Observability;

/// <summary>Issue 25, gateway spec "SREs": nothing a client sends becomes a label of the HTTP request families.</summary>
public sealed class HttpRequestMetricsTests
{
    private static readonly string[] Families = ["http_requests_received_total", "http_request_duration_seconds", "http_requests_in_progress"];

    [Fact]
    public async Task Scrape_AfterMadeUpMethodsAndPaths_NoSeriesHoldsThemAndSeriesStayBounded()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        List<string> sent = [];
        async Task SendMadeUpAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var token = $"zq{Guid.NewGuid():N}"[..14];
                sent.Add(token);
                var method = token.ToUpperInvariant();

                // A made-up method on a made-up path, on a real route, and a standard method on a made-up path.
                await RawHttp.SendAsync(gateway.BaseAddress, RawHttp.Request(method, "/" + token, [], []));
                await RawHttp.SendAsync(gateway.BaseAddress, RawHttp.Request(method, "/api/purchases", [], []));
                await RawHttp.SendAsync(gateway.BaseAddress, RawHttp.Request("GET", $"/api/{token}/x?{token}=1", [], []));
            }
        }

        await SendMadeUpAsync(3);
        var before = HttpSeries(await gateway.Client.GetStringAsync("/metrics"));
        await SendMadeUpAsync(30);
        var text = await gateway.Client.GetStringAsync("/metrics");
        var after = HttpSeries(text);

        Assert.Equal(before.Select(Name).Order(), after.Select(Name).Order());
        Assert.All(sent, token => Assert.DoesNotContain(token, text, StringComparison.OrdinalIgnoreCase));
        Assert.Contains($"http_requests_received_total{{code=\"404\",method=\"{HttpRequestMetrics.Other}\",endpoint=\"{HttpRequestMetrics.Other}\"}} 33", after);
        Assert.Contains($"http_requests_received_total{{code=\"405\",method=\"{HttpRequestMetrics.Other}\",endpoint=\"{HttpRequestMetrics.Other}\"}} 33", after);
        Assert.Contains($"http_requests_received_total{{code=\"404\",method=\"GET\",endpoint=\"{HttpRequestMetrics.Other}\"}} 33", after);
        Assert.DoesNotContain(after, line => line.Contains("endpoint=\"/metrics\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("PATCH", "PATCH")]
    [InlineData("get", "other")]
    [InlineData("PURCHASE", "other")]
    [InlineData("", "other")]
    public void MethodLabel_AnyMethod_StandardOrOther(string method, string label) =>
        Assert.Equal(label, HttpRequestMetrics.MethodLabel(method));

    [Fact]
    public async Task Metrics_MethodOtherThanGet_Refused405()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

        var answer = await RawHttp.SendAsync(gateway.BaseAddress, RawHttp.Request("POST", "/metrics", [("Content-Length", "0")], []));

        Assert.Equal(405, answer.Status);
        Assert.DoesNotContain("meterai_", answer.Text, StringComparison.Ordinal);
    }

    private static List<string> HttpSeries(string text) =>
        [.. text.Split('\n').Where(line => Families.Any(f => line.StartsWith(f, StringComparison.Ordinal)))];

    private static string Name(string line) => line[..line.LastIndexOf(' ')];
}
