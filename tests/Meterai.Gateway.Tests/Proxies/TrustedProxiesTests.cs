using System.Net;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Net.Http.Headers;

namespace Meterai.Gateway.Tests.Proxies;

/// <summary>Behind a TLS-terminating proxy: X-Forwarded-Proto is believed from configured proxies only, so the cookie is Secure there.</summary>
public sealed class TrustedProxiesTests
{
    [Fact]
    public async Task SignIn_HttpsForwardedByConfiguredProxy_CookieIsSecure()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01")],
            new Dictionary<string, string?>(OversightKeys.Settings()) { ["TrustedProxies:Addresses:0"] = "127.0.0.1" });

        var cookie = await SignInBehindProxyAsync(gateway);

        Assert.True(cookie.Secure);
    }

    [Fact]
    public async Task SignIn_HttpsForwardedByConfiguredNetwork_CookieIsSecure()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01")],
            new Dictionary<string, string?>(OversightKeys.Settings()) { ["TrustedProxies:Networks:0"] = "127.0.0.0/8" });

        var cookie = await SignInBehindProxyAsync(gateway);

        Assert.True(cookie.Secure);
    }

    [Fact]
    public async Task SignIn_HttpsForwardedWithNoProxyConfigured_HeaderIgnored()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());

        var cookie = await SignInBehindProxyAsync(gateway);

        Assert.False(cookie.Secure);
    }

    /// <summary>Signs in as a proxy that terminated TLS would forward it, and returns the session cookie as set.</summary>
    private static async Task<SetCookieHeaderValue> SignInBehindProxyAsync(GatewayHarness gateway)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = gateway.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        var browser = new SignInFlow(client);

        using var response = await browser.SignInAsync(OversightKeys.Regulator);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookies = SetCookieHeaderValue.ParseList(response.Headers.GetValues("Set-Cookie").ToList());
        return Assert.Single(cookies, c => c.Name == "meterai-oversight");
    }
}
