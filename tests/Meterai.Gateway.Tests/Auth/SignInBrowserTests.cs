using System.Text.Json.Nodes;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>Signing in as a person does it: real headless Chromium, typing the key into the form.</summary>
public sealed class SignInBrowserTests
{
    [Fact]
    public async Task SignInForm_InChromium_LandsOnTheRequestedPageWithAnHttpOnlyStrictCookie()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        await using var browser = await Browser.StartAsync(width: 390, height: 844, mobile: true);
        var session = new Uri(gateway.BaseAddress, "/oversight/session");

        await browser.NavigateAsync(session);
        Assert.Contains("Oversight sign-in", await browser.VisibleTextAsync(), StringComparison.Ordinal);
        await browser.ScreenshotAsync("sign-in-phone");

        await browser.TypeAsync("#apiKey", OversightKeys.Operator);
        await browser.ClickAndWaitForLoadAsync("button[type=submit]");

        Assert.Equal(session.ToString(), await browser.LocationAsync());
        var text = await browser.VisibleTextAsync();
        Assert.Contains("Your session", text, StringComparison.Ordinal);
        await browser.ScreenshotAsync("session-phone");
        Assert.Contains("OperatorKeys:0", text, StringComparison.Ordinal);
        Assert.DoesNotContain(OversightKeys.Operator, await browser.HtmlAsync(), StringComparison.Ordinal);
        var cookie = Assert.Single(await browser.CookiesAsync(gateway.BaseAddress), c => c["name"]!.GetValue<string>() == "meterai-oversight");
        Assert.True(cookie["httpOnly"]!.GetValue<bool>());
        Assert.Equal("Strict", cookie["sameSite"]!.GetValue<string>());
        Assert.True(cookie["session"]!.GetValue<bool>());
        Assert.DoesNotContain("meterai-oversight", await browser.EvaluateAsync("document.cookie") ?? "", StringComparison.Ordinal);

        await browser.ClickAndWaitForLoadAsync("header form button[type=submit]");

        Assert.Equal(new Uri(gateway.BaseAddress, "/oversight/sign-in").ToString(), await browser.LocationAsync());
        Assert.DoesNotContain(await browser.CookiesAsync(gateway.BaseAddress), c => c["name"]!.GetValue<string>() == "meterai-oversight");
    }

    [Fact]
    public async Task OperatorForms_InChromium_RunTheAuditThenBuildAReportAndShowIt()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        await using var browser = await Browser.StartAsync(width: 390, height: 844, mobile: true);
        var oversight = new Uri(gateway.BaseAddress, OversightEndpoints.ReadPage);
        await browser.NavigateAsync(oversight);
        await browser.TypeAsync("#apiKey", OversightKeys.Operator);
        await browser.ClickAndWaitForLoadAsync("button[type=submit]");

        await browser.ClickAndWaitForLoadAsync($"form[action='{OversightEndpoints.ActPage}'] button[type=submit]");

        Assert.Equal(oversight.ToString(), await browser.LocationAsync());
        Assert.Contains("Run the activity audit now", await browser.VisibleTextAsync(), StringComparison.Ordinal);
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("OperatorKeys:0 ran the activity audit", StringComparison.Ordinal));

        await browser.ClickAndWaitForLoadAsync($"form[action='{OversightEndpoints.BuildReportPage}'] button[type=submit]");

        Assert.StartsWith(new Uri(gateway.BaseAddress, OversightEndpoints.BuildReportPage + "/").ToString(), await browser.LocationAsync(), StringComparison.Ordinal);
        var text = await browser.VisibleTextAsync();
        Assert.Contains("e-Meterai oversight report", text, StringComparison.Ordinal);
        Assert.Contains("Findings", text, StringComparison.Ordinal);
        await browser.ScreenshotAsync("operator-report-phone");
    }

    [Fact]
    public async Task SignInForm_WrongKeyInChromium_ShowsTheFormAgainWithAMessage()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        await using var browser = await Browser.StartAsync();

        await browser.NavigateAsync(new Uri(gateway.BaseAddress, "/oversight/sign-in"));
        await browser.TypeAsync("#apiKey", OversightKeys.Unknown);
        await browser.ClickAndWaitForLoadAsync("button[type=submit]");

        var text = await browser.VisibleTextAsync();
        Assert.Contains("That key is not a regulator or operator key.", text, StringComparison.Ordinal);
        Assert.Equal("", await browser.EvaluateAsync("document.querySelector('#apiKey').value"));
        Assert.DoesNotContain(await browser.CookiesAsync(gateway.BaseAddress), (JsonObject c) => c["name"]!.GetValue<string>() == "meterai-oversight");
    }
}
