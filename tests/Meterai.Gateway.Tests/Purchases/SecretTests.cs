using System.Net;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>Distributor API keys are the gateway's secrets: they reach the distributor and nothing else.</summary>
public sealed class SecretTests
{
    private const string GoodKey = "sk-live-GOOD-d01-9f8e7d6c5b4a";
    private const string WrongKey = "sk-live-WRONG-d02-1a2b3c4d5e6f";

    [Fact]
    public async Task Purchase_DistributorsWithApiKeys_KeysNeverAppearInLogsOrResponses()
    {
        // d02 expects one key but the registry holds another: its 401s make the gateway log about it,
        // and the probe's 401 keeps it from being offered orders at all.
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01", apiKey: GoodKey), Fleets.Seller("d02", apiKey: "sk-live-d02-actual")],
            editRegistry: json => json.Replace("sk-live-d02-actual", WrongKey, StringComparison.Ordinal));

        var bodies = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await gateway.PurchaseAsync($"secret-check-{i:D4}");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            bodies.Add(response.Headers + (await response.Content.ReadAsStringAsync()));
            using var read = await gateway.Client.GetAsync($"/api/purchases/{(await GatewayHarness.JsonAsync(response)).GetProperty("purchaseId").GetString()}");
            bodies.Add(read.Headers + (await read.Content.ReadAsStringAsync()));
        }

        using var bad = await gateway.PurchaseRawAsync("secret-check-bad1", "{");
        bodies.Add(await bad.Content.ReadAsStringAsync());
        using var ready = await gateway.Client.GetAsync("/readyz");
        bodies.Add(await ready.Content.ReadAsStringAsync());

        // The keys were used: d01 sold everything with its key, and d02 refused the wrong one.
        Assert.Equal(8, gateway.Fleet["d01"].OrdersCreated);
        Assert.True(gateway.Fleet["d02"].UnauthorizedRequests > 0);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("rejected the gateway's credentials", StringComparison.Ordinal));

        var everything = string.Join("\n", gateway.Logs.Lines.Concat(bodies));
        Assert.DoesNotContain(GoodKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, everything, StringComparison.Ordinal);
    }
}
