using System.Net;
using Meterai.Gateway.Auth;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Net.Http.Headers;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>The browser sign-in: a form that sets an HttpOnly, SameSite=Strict cookie, and pages that answer with the form.</summary>
public sealed class CookieSignInTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private GatewayHarness Gateway => fixture.Gateway;

    [Fact]
    public async Task SignIn_RegulatorKey_SetsHttpOnlyStrictCookieAndRedirectsToOversight()
    {
        var browser = new SignInFlow(Gateway.RawClient);

        using var response = await browser.SignInAsync(OversightKeys.Regulator);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/oversight", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(SetCookies(response), c => c.Name == "meterai-oversight");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path.Value);
        Assert.Null(cookie.Expires); // a session cookie: gone when the browser closes
        Assert.False(cookie.Secure); // plain http on loopback; SameAsRequest makes it Secure under https
    }

    [Fact]
    public async Task SignedIn_Cookie_ReadsPagesAndApisButCannotAct()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);

        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();
        using var api = await browser.GetAsync(OversightEndpoints.ReadApi);
        // With the page's own valid token, so the refusal is the role's, not antiforgery's.
        using var actPage = await browser.PostFormAsync(OversightEndpoints.ActPage, new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });
        using var actApi = await browser.PostFormAsync(OversightEndpoints.ActApi, []);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(">Regulator</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("RegulatorKeys:0", html, StringComparison.Ordinal); // the role, never the key's configuration name
        Assert.Contains("Sign out", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"action=\"{OversightEndpoints.ActPage}\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, actPage.StatusCode);
        Assert.Equal("text/html", actPage.Content.Headers.ContentType?.MediaType);
        Assert.Contains("operator key", await actPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, actApi.StatusCode);
        Assert.Equal("application/problem+json", actApi.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SignIn_HashedOperatorKey_CanAct()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.OperatorHashed);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();

        using var acted = await browser.PostFormAsync(
            SignInFlow.FormAction(html, OversightEndpoints.ActPage), new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(">Operator</a>", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, acted.StatusCode);
        Assert.Equal(OversightEndpoints.ReadPage, acted.Headers.Location?.OriginalString);
        Assert.Contains(Gateway.Logs.Lines, l => l.Contains("OperatorKeys:1 ran the activity audit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_WrongKey_401FormWithMessageAndNoSession()
    {
        var browser = new SignInFlow(Gateway.RawClient);

        using var response = await browser.SignInAsync(OversightKeys.Unknown);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("name=\"apiKey\"", html, StringComparison.Ordinal);
        Assert.Contains("not a regulator or operator key", html, StringComparison.Ordinal);
        Assert.DoesNotContain(OversightKeys.Unknown, html, StringComparison.Ordinal);
        Assert.DoesNotContain(SetCookies(response), c => c.Name == "meterai-oversight");
    }

    [Fact]
    public async Task SignIn_NoAntiforgeryToken_400FreshFormAndNoSession()
    {
        var browser = new SignInFlow(Gateway.RawClient);

        using var response = await browser.PostFormAsync("/oversight/sign-in", new() { ["apiKey"] = OversightKeys.Operator });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("name=\"apiKey\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(SetCookies(response), c => c.Name == "meterai-oversight");
    }

    [Fact]
    public async Task Page_NotSignedIn_401SignInFormThatReturnsToThePage()
    {
        var browser = new SignInFlow(Gateway.RawClient);

        using var page = await browser.GetAsync("/oversight/session?tab=keys");

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        var action = SignInFlow.FormAction(html);
        Assert.Equal("/oversight/sign-in?returnUrl=%2Foversight%2Fsession%3Ftab%3Dkeys", action);

        using var signIn = await browser.PostFormAsync(action, new() { ["apiKey"] = OversightKeys.Regulator, [SignInFlow.TokenField] = SignInFlow.Token(html) });

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/oversight/session?tab=keys", signIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignIn_ForeignReturnUrl_RedirectsToOversightInstead()
    {
        var browser = new SignInFlow(Gateway.RawClient);

        using var response = await browser.SignInAsync(OversightKeys.Regulator, "/oversight/sign-in?returnUrl=https%3A%2F%2Fevil.example%2Foversight");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/oversight", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignOut_WithFormToken_EndsSession()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();

        using var signOut = await browser.PostFormAsync(SignInFlow.FormAction(html, "/oversight/sign-out"), new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });
        using var after = await browser.GetAsync(OversightEndpoints.ReadPage);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/oversight/sign-in", signOut.Headers.Location?.OriginalString);
        Assert.False(browser.Cookies.ContainsKey("meterai-oversight"));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task SignOut_WithoutToken_400AndSessionKept()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);

        using var signOut = await browser.PostFormAsync("/oversight/sign-out", []);
        using var after = await browser.GetAsync(OversightEndpoints.ReadPage);

        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Pages_Always_SendSecurityHeaders()
    {
        using var response = await Gateway.RawClient.GetAsync("/oversight/sign-in");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore, "Pages with tokens or oversight data must not be stored.");
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain(Gateway.Logs.Lines, l => l.Contains("have been overridden", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "/oversight")]
    [InlineData("", "/oversight")]
    [InlineData("/oversight/reports/r1?x=1", "/oversight/reports/r1?x=1")]
    [InlineData("/oversightx", "/oversight")]
    [InlineData("/status", "/oversight")]
    [InlineData("//evil.example/oversight", "/oversight")]
    [InlineData("/\\evil.example", "/oversight")]
    [InlineData("https://evil.example/oversight", "/oversight")]
    [InlineData("/oversight/sign-in", "/oversight")]
    [InlineData("/oversight\r\nSet-Cookie: x=1", "/oversight")]
    public void SafeReturnUrl_Input_OnlyLocalOversightPaths(string? returnUrl, string expected) =>
        Assert.Equal(expected, SignInEndpoints.SafeReturnUrl(returnUrl));

    private static IList<SetCookieHeaderValue> SetCookies(HttpResponseMessage response) =>
        SetCookieHeaderValue.ParseList(response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : []);
}
