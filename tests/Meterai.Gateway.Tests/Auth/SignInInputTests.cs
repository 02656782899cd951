using System.Net;
using System.Text;
using Meterai.Gateway.Auth;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>
/// Gateway spec: sign-in only ever redirects to a path under /oversight on the same site, after
/// resolving dot segments; any sign-in input that is malformed gets 400, never 5xx.
/// </summary>
public sealed class SignInInputTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private GatewayHarness Gateway => fixture.Gateway;

    public static TheoryData<string> Escapes => new()
    {
        "/oversight/../..//evil.example",
        "/oversight/%2e%2e/%2E%2E//evil.example",
        "/oversight/..%2F..%2F%2Fevil.example",
        "/oversight/.%2e/.%2e//evil.example/x?y=1",
        "/oversight/..\\..\\evil.example",
        "/oversight/%5C%5Cevil.example",
        "/%2F/evil.example/oversight",
        "//evil.example/oversight",
        "\\\\evil.example/oversight",
        "https://evil.example/oversight",
        "http:/oversight",
        "/oversight/./../sign-in",
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task SignIn_ReturnUrlThatEscapesOversight_RedirectsUnderOversightWithAsciiLocation(string returnUrl)
    {
        var browser = new SignInFlow(Gateway.RawClient);

        using var response = await browser.SignInAsync(OversightKeys.Regulator, "/oversight/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.True(Ascii.IsValid(location), location);
        // Where a browser goes: the Location resolved against the gateway's own address.
        var target = new Uri(Gateway.BaseAddress, location);
        Assert.Equal(Gateway.BaseAddress.Authority, target.Authority);
        Assert.Equal("/oversight", target.AbsolutePath);
    }

    [Theory]
    [InlineData("/oversight/résumé", "/oversight/r%C3%A9sum%C3%A9")]
    [InlineData("/oversight/reports/%E6%97%A5", "/oversight/reports/%E6%97%A5")]
    [InlineData("/oversight/a b?q=x y&r=ü", "/oversight/a%20b?q=x%20y&r=%C3%BC")]
    [InlineData("/oversight/x/../session?tab=keys", "/oversight/session?tab=keys")]
    [InlineData("/oversight/%252e%252e/x", "/oversight/%252e%252e/x")]
    [InlineData("/OVERSIGHT/Session", "/OVERSIGHT/Session")]
    public async Task SignIn_ReturnUrlUnderOversight_RedirectsThereWithAsciiLocation(string returnUrl, string expected)
    {
        var browser = new SignInFlow(Gateway.RawClient);

        using var response = await browser.SignInAsync(OversightKeys.Regulator, "/oversight/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("%25zz")]
    [InlineData("%2Foversight%25FF")]
    [InlineData("%2Foversight%0D%0ASet-Cookie%3A%20x%3D1")]
    [InlineData("%2Foversight%2509")]
    [InlineData("%2Foversight&returnUrl=%2Foversight%2Fsession")]
    public async Task SignInForm_MalformedReturnUrl_400FormThatReturnsToOversight(string query)
    {
        using var response = await Gateway.RawClient.GetAsync("/oversight/sign-in?returnUrl=" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("The return address is not valid", html, StringComparison.Ordinal);
        Assert.Equal("/oversight/sign-in?returnUrl=%2Foversight", SignInFlow.FormAction(html));
    }

    [Fact]
    public async Task SignIn_JsonBodyWithTheTokenInTheHeader_400FormNoSession()
    {
        var (cookie, token) = await FormTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oversight/sign-in")
        {
            Content = new StringContent($$"""{"apiKey":"{{OversightKeys.Operator}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("RequestVerificationToken", token);

        using var response = await Gateway.RawClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("name=\"apiKey\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("meterai-oversight=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SignIn_FormValueOverTheFormLimit_400()
    {
        // Over the form's own value limit (4 KiB), under the server's body cap (Server:MaxRequestBodyBytes), so the
        // form reader decides; a value over ASP.NET Core's 4 MiB default used to escape as a 500.
        var (cookie, token) = await FormTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oversight/sign-in")
        {
            Content = new StringContent("apiKey=" + new string('k', 8 * 1024), Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("RequestVerificationToken", token);

        using var response = await Gateway.RawClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/oversight/../..//evil.example", "/oversight")]
    [InlineData("/oversight/%2e%2e//evil.example", "/oversight")]
    [InlineData("/oversight/reports/..", "/oversight/")]
    [InlineData("/oversight/é?x=é", "/oversight/%C3%A9?x=%C3%A9")]
    [InlineData("/oversight/%zz", "/oversight")]
    [InlineData("/oversight\u0000", "/oversight")]
    public void SafeReturnUrl_EscapesAndEncodings_ResolvedThenChecked(string returnUrl, string expected) =>
        Assert.Equal(expected, SignInEndpoints.SafeReturnUrl(returnUrl));

    [Theory]
    [InlineData("/a/b/c/./../../g", "/a/g")]
    [InlineData("/oversight/..", "/")]
    [InlineData("/oversight/../..//evil", "//evil")]
    [InlineData("/a/./b/.", "/a/b/")]
    [InlineData("/a//b", "/a//b")]
    public void RemoveDotSegments_Rfc3986Examples(string path, string expected) =>
        Assert.Equal(expected, ReturnUrl.RemoveDotSegments(path));

    private async Task<(string Cookie, string Token)> FormTokenAsync()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var form = await browser.GetAsync("/oversight/sign-in");
        return (SessionLedger.CookieHeader(browser), SignInFlow.Token(await form.Content.ReadAsStringAsync()));
    }
}
