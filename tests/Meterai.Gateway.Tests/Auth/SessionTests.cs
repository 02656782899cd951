using System.Net;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>
/// Gateway spec, keys and sessions: the session behind the sign-in cookie lives in the ledger, so
/// signing out ends it, and a key removed from the configuration or moved to another role ends the
/// sessions signed in with it at their next request.
/// </summary>
public sealed class SessionTests
{
    /// <summary>The page that names the key a session signed in with (the oversight pages show only the role).</summary>
    private const string SessionPage = "/oversight/session";

    private const string ReplacementKey = "replacement-KEY-00112233445566778899";

    [Fact]
    public async Task SignOut_OldCookieReplayed_401AndSessionGoneFromLedger()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var browser = new SignInFlow(gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);
        var copied = SessionLedger.CookieHeader(browser);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Single(await SessionLedger.RowsAsync(gateway));

        using var signOut = await browser.PostFormAsync(SignInFlow.FormAction(html, "/oversight/sign-out"), new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });
        using var replayedPage = await SessionLedger.GetWithCookieAsync(gateway, OversightEndpoints.ReadPage, copied);
        using var replayedApi = await SessionLedger.GetWithCookieAsync(gateway, OversightEndpoints.ReadApi, copied);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayedPage.StatusCode);
        Assert.Contains("name=\"apiKey\"", await replayedPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, replayedApi.StatusCode);
        Assert.Empty(await SessionLedger.RowsAsync(gateway));
    }

    [Fact]
    public async Task SignIn_AgainInTheSameBrowser_NewSessionAndTheOldCookieIsWorthNothing()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var browser = new SignInFlow(gateway.RawClient);
        using var first = await browser.SignInAsync(OversightKeys.Regulator);
        var planted = SessionLedger.CookieHeader(browser);

        // Whoever holds the first cookie (planted in, or copied from, this browser) must not share the operator's session.
        using var second = await browser.SignInAsync(OversightKeys.Operator);
        using var withPlanted = await SessionLedger.GetWithCookieAsync(gateway, OversightEndpoints.ReadApi, planted);
        using var page = await browser.GetAsync(SessionPage);

        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withPlanted.StatusCode);
        Assert.Contains("OperatorKeys:0", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await SessionLedger.RowsAsync(gateway));
    }

    [Fact]
    public async Task KeyRemovedFromConfiguration_OldSession_EndedAtNextRequest()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var browser = new SignInFlow(gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);
        using var before = await browser.GetAsync(OversightEndpoints.ReadApi);

        SessionLedger.Reconfigure(gateway, new Dictionary<string, string?> { ["Auth:RegulatorKeys:0"] = ReplacementKey });
        using var after = await browser.GetAsync(OversightEndpoints.ReadApi);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.False(browser.Cookies.ContainsKey("meterai-oversight"), "the refused session's cookie is deleted");
        Assert.Empty(await SessionLedger.RowsAsync(gateway));
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("Oversight session of RegulatorKeys:0 as regulator ended", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyMovedToRegulators_OperatorSession_EndedAndItsKeyNowOnlyReads()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var browser = new SignInFlow(gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Operator);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();

        SessionLedger.Reconfigure(gateway, new Dictionary<string, string?>
        {
            ["Auth:OperatorKeys:0"] = ReplacementKey,
            ["Auth:RegulatorKeys:2"] = OversightKeys.Operator,
        });
        using var act = await browser.PostFormAsync(OversightEndpoints.ActPage, new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });
        using var actWithKey = new HttpRequestMessage(HttpMethod.Post, OversightEndpoints.ActApi) { Headers = { { "X-Api-Key", OversightKeys.Operator } } };
        using var actedWithKey = await gateway.RawClient.SendAsync(actWithKey);

        Assert.Equal(HttpStatusCode.Unauthorized, act.StatusCode);
        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Contains("ran the activity audit", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, actedWithKey.StatusCode);
        Assert.Empty(await SessionLedger.RowsAsync(gateway));
    }

    [Fact]
    public async Task KeyMovedToAnotherIndex_Session_KeepsGoingUnderItsNewName()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var browser = new SignInFlow(gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);

        SessionLedger.Reconfigure(gateway, new Dictionary<string, string?> { ["Auth:RegulatorKeys:0"] = ReplacementKey, ["Auth:RegulatorKeys:2"] = OversightKeys.Regulator });
        using var page = await browser.GetAsync(SessionPage);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("RegulatorKeys:2", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredSession_InLedger_RefusedAndRemovedAtTheNextSignIn()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var browser = new SignInFlow(gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);
        var row = Assert.Single(await SessionLedger.RowsAsync(gateway));
        Assert.InRange(row.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(29).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(31).ToUnixTimeMilliseconds());

        // As if the 30 idle minutes had passed.
        await gateway.QueryLedgerAsync<long>("UPDATE oversight_sessions SET expires_at = 1; SELECT COUNT(*) FROM oversight_sessions");
        using var expired = await browser.GetAsync(OversightEndpoints.ReadApi);
        using var again = await new SignInFlow(gateway.RawClient).SignInAsync(OversightKeys.Operator);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.DoesNotContain(await SessionLedger.RowsAsync(gateway), r => r.ExpiresAt == 1);
    }
}
