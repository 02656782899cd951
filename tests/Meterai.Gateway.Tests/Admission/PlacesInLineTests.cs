using System.Net;
using System.Text.Json;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Admission;

/// <summary>Through the real gateway (Kestrel on loopback) to a real simulator: the 503 of a full fleet is a place in line.</summary>
public sealed class PlacesInLineTests
{
    [Fact]
    public async Task Purchase_FleetFull_503SaysPositionAndWaitAndARetryKeepsItsPlace()
    {
        // One distributor taking one order at a time, slowly; no queue: whoever cannot be served at once gets a place.
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", capacity: 1, serviceTime: TimeSpan.FromSeconds(3))],
            new Dictionary<string, string?> { ["Admission:MaxQueueLength"] = "0", ["Capacity:Learning"] = "false", ["Capacity:ReadyShare"] = "0" });
        var busy = gateway.PurchaseAsync("first-key-000001");
        var distributor = Assert.Single(gateway.Fleet.Distributors);
        await Eventually.TrueAsync(() => distributor.CurrentConcurrency == 1, "the first order to be out");

        var early = await InLineAsync(gateway, "early-key-000001");
        var later = await InLineAsync(gateway, "later-key-000001");
        var laterAgain = await InLineAsync(gateway, "later-key-000001");
        var earlyAgain = await InLineAsync(gateway, "early-key-000001");

        Assert.Equal([1, 2, 2, 1], [early.Position, later.Position, laterAgain.Position, earlyAgain.Position]);
        Assert.All([early, later, laterAgain, earlyAgain], answer =>
        {
            Assert.InRange(answer.RetryAfter, 1, 3600);
            Assert.InRange(answer.EstimatedWait, answer.RetryAfter, answer.RetryAfter + 1);
        });
        Assert.True(later.EstimatedWait >= early.EstimatedWait, "a later place is not expected sooner");

        // The public status tells a newcomer the wait at the back of the line.
        using var status = await gateway.Client.GetAsync("/api/status");
        var statusWait = (await GatewayHarness.JsonAsync(status)).GetProperty("estimatedWaitSeconds").GetInt32();
        Assert.InRange(statusWait, (int)Math.Floor(later.EstimatedWait), 3600);

        using var first = await busy;
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(1, gateway.TotalOrders);
    }

    private static async Task<(int Position, double EstimatedWait, int RetryAfter)> InLineAsync(GatewayHarness gateway, string key)
    {
        using var response = await gateway.PurchaseAsync(key);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await GatewayHarness.JsonAsync(response);
        Assert.EndsWith("in-line", body.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("estimatedWaitSeconds").ValueKind);
        return (body.GetProperty("position").GetInt32(), body.GetProperty("estimatedWaitSeconds").GetDouble(), (int)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds);
    }
}
