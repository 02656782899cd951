using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>
/// The operator's forms on /oversight (run the audit, build a 24-hour report): an operator acts and
/// is sent on with 303; a regulator gets 403, anonymous 401, and a form without its token 400.
/// </summary>
public sealed class OperatorPageActionsTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    public static TheoryData<string> ActPages => [OversightEndpoints.ActPage, OversightEndpoints.BuildReportPage];

    private GatewayHarness Gateway => fixture.Gateway;

    [Fact]
    public async Task OversightPage_Operator_OffersBothActionsWithTokens()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Operator);

        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Run the activity audit now", html, StringComparison.Ordinal);
        Assert.Contains("Build a report for the last 24 hours", html, StringComparison.Ordinal);
        Assert.Equal(OversightEndpoints.ActPage, SignInFlow.FormAction(html, OversightEndpoints.ActPage));
        Assert.Equal(OversightEndpoints.BuildReportPage, SignInFlow.FormAction(html, OversightEndpoints.BuildReportPage));
        // Every form (sign-out and the two actions) carries its token.
        Assert.Equal(3, CountOf("<form", html));
        Assert.Equal(3, CountOf($"name=\"{SignInFlow.TokenField}\"", html));
    }

    [Fact]
    public async Task BuildReportForm_Operator_Builds24HourReportAndShowsIt()
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Operator);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();

        using var built = await browser.PostFormAsync(
            SignInFlow.FormAction(html, OversightEndpoints.BuildReportPage), new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });

        Assert.Equal(HttpStatusCode.SeeOther, built.StatusCode);
        var location = built.Headers.Location?.OriginalString ?? "";
        Assert.StartsWith(OversightEndpoints.BuildReportPage + "/", location, StringComparison.Ordinal);
        var reportId = location[(OversightEndpoints.BuildReportPage.Length + 1)..];

        using var shown = await browser.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Equal("text/html", shown.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"Report {reportId}.", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/oversight/reports/{reportId}");
        request.Headers.Add("X-Api-Key", OversightKeys.Regulator);
        using var json = await Gateway.RawClient.SendAsync(request);
        var report = await json.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(TimeSpan.FromHours(24), report.GetProperty("to").GetDateTimeOffset() - report.GetProperty("from").GetDateTimeOffset());
        Assert.Contains(Gateway.Logs.Lines, l => l.Contains($"OperatorKeys:0 built oversight report {reportId}", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ActPages))]
    public async Task ActForm_RegulatorWithValidToken_403HtmlAndNothingDone(string path)
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.RegulatorHashed);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();
        var (reports, actions) = (await CountReportsAsync(), ActionsLogged());

        using var response = await browser.PostFormAsync(path, new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("operator key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(reports, await CountReportsAsync());
        Assert.Equal(actions, ActionsLogged());
    }

    [Theory]
    [MemberData(nameof(ActPages))]
    public async Task ActForm_NotSignedIn_401SignInForm(string path)
    {
        using var response = await Gateway.RawClient.PostAsync(path, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("name=\"apiKey\"", html, StringComparison.Ordinal);
        // A POST cannot be replayed after signing in, so the form returns to /oversight.
        Assert.Equal("/oversight/sign-in?returnUrl=%2Foversight", SignInFlow.FormAction(html));
    }

    [Theory]
    [MemberData(nameof(ActPages))]
    public async Task ActForm_OperatorWithoutToken_400AndNothingDone(string path)
    {
        var browser = new SignInFlow(Gateway.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Operator);
        var (reports, actions) = (await CountReportsAsync(), ActionsLogged());

        using var response = await browser.PostFormAsync(path, []);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(reports, await CountReportsAsync());
        Assert.Equal(actions, ActionsLogged());
    }

    /// <summary>What the two forms log when they act (the tests of one class run one at a time).</summary>
    private int ActionsLogged() => Gateway.Logs.Lines.Count(l =>
        l.Contains(" ran the activity audit from the oversight page", StringComparison.Ordinal)
        || l.Contains(" built oversight report ", StringComparison.Ordinal));

    private Task<long> CountReportsAsync() => Gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM reports");

    private static int CountOf(string needle, string haystack) =>
        (haystack.Length - haystack.Replace(needle, "", StringComparison.Ordinal).Length) / needle.Length;
}
