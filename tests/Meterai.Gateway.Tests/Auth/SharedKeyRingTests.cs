using System.Net;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>The data-protection key ring lives in the ledger: a sign-in at one gateway holds at every other.</summary>
public sealed class SharedKeyRingTests
{
    [Fact]
    public async Task SignIn_AtOneGateway_CookieAcceptedAtAnother()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        await using var fleet = await Meterai.Simulator.SimulatedFleet.StartAsync([Fleets.Seller("d01")]);
        var settings = new Dictionary<string, string?>(ledger.Settings.Concat(OversightKeys.Settings()))
        {
            // Unset: the default, the ledger's key ring.
            ["Auth:DataProtectionKeysPath"] = "",
        };
        await using var a = await GatewayHarness.StartSharingAsync(fleet, settings);
        await using var b = await GatewayHarness.StartSharingAsync(fleet, settings);
        var atA = new SignInFlow(a.RawClient);
        using var signIn = await atA.SignInAsync(OversightKeys.Operator);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // The same browser, now sent to b by the load balancer.
        using var page = new HttpRequestMessage(HttpMethod.Get, OversightEndpoints.ReadPage);
        page.Headers.Add("Cookie", string.Join("; ", atA.Cookies.Select(c => $"{c.Key}={c.Value}")));
        using var atB = await b.RawClient.SendAsync(page);
        var html = await atB.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, atB.StatusCode);
        Assert.Contains("Sign out", html, StringComparison.Ordinal);
        Assert.Equal(1L, await a.QueryLedgerAsync<long>("SELECT COUNT(*) FROM data_protection_keys"));
    }
}
