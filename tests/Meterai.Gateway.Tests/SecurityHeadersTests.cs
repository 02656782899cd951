using System.Net;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests;

/// <summary>JSON and problem answers say <c>X-Content-Type-Options: nosniff</c>, including the purchase route's own answers.</summary>
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Answers_JsonAndProblems_CarryNosniff()
    {
        using var issued = await _gateway.PurchaseAsync("nosniff-key-0001");
        using var invalid = await _gateway.PurchaseRawAsync("nosniff-key-0002", "{}");
        using var status = await _gateway.Client.GetAsync("/api/status");
        using var missing = await _gateway.Client.GetAsync("/api/purchases/pur_0123456789abcdef0123456789abcdef");
        using var unauthorized = await _gateway.Client.GetAsync("/api/oversight/flags");

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        foreach (var response in new[] { issued, invalid, status, missing, unauthorized })
        {
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }
}
