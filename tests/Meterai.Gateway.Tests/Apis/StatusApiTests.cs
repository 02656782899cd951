using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Routing;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>GET /api/status and GET /status: public, and never at odds with routing.</summary>
public sealed class StatusApiTests
{
    [Fact]
    public async Task GetStatus_MixedFleet_CountsOnlyDistributorsThatCanSell()
    {
        await using var gateway = await GatewayHarness.StartAsync(
        [
            Fleets.Seller("d01"),
            Fleets.Seller("d02"),
            Fleets.Seller("d03", stock: 0),
            Down("d04"),
        ]);

        var status = await EventuallyStatusAsync(gateway, s => s.GetProperty("sellingDistributors").GetInt32() == 2);

        Assert.Equal(
            ["canBuy", "sellingDistributors", "registeredDistributors", "estimatedWaitSeconds", "updatedAt"],
            status.EnumerateObject().Select(p => p.Name));
        Assert.True(status.GetProperty("canBuy").GetBoolean());
        Assert.Equal(4, status.GetProperty("registeredDistributors").GetInt32());
        Assert.Equal(0, status.GetProperty("estimatedWaitSeconds").GetInt32());
        var newestProbe = gateway.Services.GetRequiredService<DistributorFleet>().All.Max(d => d.LastProbedAt);
        Assert.Equal(newestProbe, status.GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task GetStatus_NobodyCanSell_CannotBuyAndPurchaseIsRefused()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01", stock: 0), Down("d02")]);

        var status = await EventuallyStatusAsync(gateway, s => !s.GetProperty("canBuy").GetBoolean());
        using var purchase = await PurchaseAsync(gateway, "status-none-0001");

        Assert.Equal(0, status.GetProperty("sellingDistributors").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, purchase.StatusCode);
    }

    [Fact]
    public async Task GetStatus_DistributorSellsOutMidway_StatusAndRoutingChangeTogether()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        await EventuallyStatusAsync(gateway, s => s.GetProperty("canBuy").GetBoolean());
        using (var first = await PurchaseAsync(gateway, "status-sold-0001"))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        // A 409 out_of_stock answer takes the distributor out of routing at once, without a probe.
        gateway.Fleet["d01"].SetStock(0);
        using var refused = await PurchaseAsync(gateway, "status-sold-0002");
        var status = await GetStatusAsync(gateway);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.False(status.GetProperty("canBuy").GetBoolean());
        Assert.Equal(
            gateway.Services.GetRequiredService<DistributorRouting>().TryGetCluster(out var cluster) ? cluster.DestinationsState.AvailableDestinations.Count : -1,
            status.GetProperty("sellingDistributors").GetInt32());
    }

    [Fact]
    public async Task GetStatus_WaitEstimateRegistered_ReportsWholeSecondsRoundedUp()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01")],
            services: services => services.AddSingleton<IWaitEstimate>(new FixedWait(TimeSpan.FromSeconds(41.2))));

        var status = await GetStatusAsync(gateway);

        Assert.Equal(42, status.GetProperty("estimatedWaitSeconds").GetInt32());
    }

    [Fact]
    public async Task GetStatusPage_CanBuy_SaysYesInBothLanguagesWithTheNumbers()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02", stock: 0)]);
        await EventuallyStatusAsync(gateway, s => s.GetProperty("sellingDistributors").GetInt32() == 1);

        using var response = await gateway.Client.GetAsync("/status");
        var html = await response.Content.ReadAsStringAsync();
        var text = TextOf(html);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Anda bisa membeli e-Meterai sekarang.", text, StringComparison.Ordinal);
        Assert.Contains("You can buy e-Meterai now.", text, StringComparison.Ordinal);
        Assert.Contains("dari 2 terdaftar / of 2 registered", text, StringComparison.Ordinal);
        Assert.Contains("WIB", text, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatusPage_CannotBuy_SaysNo()
    {
        await using var gateway = await GatewayHarness.StartAsync([Down("d01")]);
        await EventuallyStatusAsync(gateway, s => !s.GetProperty("canBuy").GetBoolean());

        var text = TextOf(await gateway.Client.GetStringAsync("/status"));

        Assert.Contains("TIDAK · NO", text, StringComparison.Ordinal);
        Assert.Contains("You cannot buy e-Meterai right now.", text, StringComparison.Ordinal);
    }

    internal static SimulatedDistributorOptions Down(string id) => new()
    {
        Id = id,
        Name = $"PT Uji {id}",
        ServiceTime = TimeSpan.FromMilliseconds(1),
        Behavior = new DistributorBehavior { Down = DownMode.ServiceUnavailable },
    };

    internal static async Task<JsonElement> GetStatusAsync(GatewayHarness gateway)
    {
        using var response = await gateway.Client.GetAsync("/api/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Routing takes in a probe's result just after the probe records its time: wait for it rather than race it.</summary>
    internal static Task<JsonElement> EventuallyStatusAsync(GatewayHarness gateway, Func<JsonElement, bool> condition) =>
        Eventually.MatchesAsync(() => GetStatusAsync(gateway), condition, "a matching /api/status", TimeSpan.FromSeconds(10));

    private static async Task<HttpResponseMessage> PurchaseAsync(GatewayHarness gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases")
        {
            Content = JsonContent.Create(new { quantity = 1, applicantRef = "NIK-3171234567890001" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await gateway.Client.SendAsync(request);
    }

    /// <summary>The page's text without its tags, as a reader sees the words.</summary>
    private static string TextOf(string html) => System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", ""));

    private sealed class FixedWait(TimeSpan wait) : IWaitEstimate
    {
        public TimeSpan EstimatedWait => wait;
    }
}
