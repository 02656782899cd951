using System.Net;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>Operator API actions authenticated by the sign-in cookie need the antiforgery token; with X-Api-Key they do not.</summary>
public sealed class CookieApiAntiforgeryTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private GatewayHarness Gateway => fixture.Gateway;

    [Fact]
    public async Task PostApi_OperatorCookieWithoutToken_Refused400NamingTheToken()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Operator);

        using var audit = await browser.PostFormAsync(OversightEndpoints.ActApi, []);

        Assert.Equal(HttpStatusCode.BadRequest, audit.StatusCode);
        Assert.Equal("application/problem+json", audit.Content.Headers.ContentType?.MediaType);
        var problem = await GatewayHarness.JsonAsync(audit);
        Assert.True(problem.GetProperty("errors").TryGetProperty("RequestVerificationToken", out _), problem.ToString());
    }

    [Fact]
    public async Task PostApi_OperatorCookieWithPageTokenInHeader_Acts()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Operator);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var token = SignInFlow.Token(await page.Content.ReadAsStringAsync());

        using var audit = await browser.PostAsync(OversightEndpoints.ActApi, ("RequestVerificationToken", token));

        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
    }

    [Fact]
    public async Task PostApi_OperatorCookieWithForgedToken_Refused()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Operator);

        using var audit = await browser.PostAsync(OversightEndpoints.ActApi, ("RequestVerificationToken", "CfDJ8-forged"));

        Assert.Equal(HttpStatusCode.BadRequest, audit.StatusCode);
    }

    [Fact]
    public async Task PostApi_OperatorKeyWithoutToken_Acts()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, OversightEndpoints.ActApi);
        request.Headers.Add("X-Api-Key", OversightKeys.Operator);

        using var audit = await Gateway.RawClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
    }
}
