using Meterai.Gateway.Tests.Testing;
using Microsoft.Playwright;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>Signing in as a person does it: real headless Chromium, typing the key into the form.</summary>
[Collection(SharedChromium.Name)]
public sealed class SignInBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task SignInForm_InChromium_LandsOnTheRequestedPageWithAnHttpOnlyStrictCookie()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        await using var context = await chromium.NewContextAsync(width: 390, height: 844, mobile: true);
        var page = await context.NewPageAsync();
        var session = new Uri(gateway.BaseAddress, "/oversight/session");

        await page.GotoAsync(session.ToString());
        Assert.Contains("Oversight sign-in", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        await Chromium.ScreenshotAsync(page, "sign-in-phone");

        await page.FillAsync("#apiKey", OversightKeys.Operator);
        await Chromium.ClickAndWaitForLoadAsync(page, "button[type=submit]");

        Assert.Equal(session.ToString(), page.Url);
        var text = await page.InnerTextAsync("body");
        Assert.Contains("Your session", text, StringComparison.Ordinal);
        await Chromium.ScreenshotAsync(page, "session-phone");
        Assert.Contains("OperatorKeys:0", text, StringComparison.Ordinal);
        Assert.DoesNotContain(OversightKeys.Operator, await page.ContentAsync(), StringComparison.Ordinal);
        var cookie = Assert.Single(await context.CookiesAsync([gateway.BaseAddress.ToString()]), c => c.Name == "meterai-oversight");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal(-1, cookie.Expires); // a session cookie: gone with the browser
        Assert.DoesNotContain("meterai-oversight", await page.EvaluateAsync<string>("document.cookie"), StringComparison.Ordinal);

        await Chromium.ClickAndWaitForLoadAsync(page, "header form button[type=submit]");

        Assert.Equal(new Uri(gateway.BaseAddress, "/oversight/sign-in").ToString(), page.Url);
        Assert.DoesNotContain(await context.CookiesAsync([gateway.BaseAddress.ToString()]), c => c.Name == "meterai-oversight");
    }

    [Fact]
    public async Task OperatorForms_InChromium_RunTheAuditThenBuildAReportAndShowIt()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        await using var context = await chromium.NewContextAsync(width: 390, height: 844, mobile: true);
        var page = await context.NewPageAsync();
        var oversight = new Uri(gateway.BaseAddress, OversightEndpoints.ReadPage);
        await page.GotoAsync(oversight.ToString());
        await page.FillAsync("#apiKey", OversightKeys.Operator);
        await Chromium.ClickAndWaitForLoadAsync(page, "button[type=submit]");

        await Chromium.ClickAndWaitForLoadAsync(page, $"form[action='{OversightEndpoints.ActPage}'] button[type=submit]");

        Assert.Equal(oversight.ToString(), page.Url);
        Assert.Contains("Run the activity audit now", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("OperatorKeys:0 ran the activity audit", StringComparison.Ordinal));

        await Chromium.ClickAndWaitForLoadAsync(page, $"form[action='{OversightEndpoints.BuildReportPage}'] button[type=submit]");

        Assert.StartsWith(new Uri(gateway.BaseAddress, OversightEndpoints.BuildReportPage + "/").ToString(), page.Url, StringComparison.Ordinal);
        var text = await page.InnerTextAsync("body");
        Assert.Contains("e-Meterai oversight report", text, StringComparison.Ordinal);
        Assert.Contains("Findings", text, StringComparison.Ordinal);
        await Chromium.ScreenshotAsync(page, "operator-report-phone");
    }

    [Fact]
    public async Task SignInForm_WrongKeyInChromium_ShowsTheFormAgainWithAMessage()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(gateway.BaseAddress, "/oversight/sign-in").ToString());
        await page.FillAsync("#apiKey", OversightKeys.Unknown);
        await Chromium.ClickAndWaitForLoadAsync(page, "button[type=submit]");

        var text = await page.InnerTextAsync("body");
        Assert.Contains("That key is not a regulator or operator key.", text, StringComparison.Ordinal);
        Assert.Equal("", await page.InputValueAsync("#apiKey"));
        Assert.DoesNotContain(await context.CookiesAsync([gateway.BaseAddress.ToString()]), c => c.Name == "meterai-oversight");
    }
}
