using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// The regulator pages as real headless Chromium renders them, on a 1366 px desk and a 390 px
/// phone: nothing wider than the screen, no text cut in a cell, evidence under its row in words
/// and WIB, operator actions at the top for operators only, and a page per distributor.
/// </summary>
[Collection(SharedChromium.Name)]
public sealed class OversightBrowserTests(Chromium chromium)
{
    // Every cell whose text is wider than the cell (cut, or spilling over its neighbour).
    private const string ClippedCells =
        "[...document.querySelectorAll('td, th')].filter(c => c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.slice(0, 40))";

    [Theory]
    [InlineData(1366, false)]
    [InlineData(390, true)]
    public async Task OversightPage_Regulator_FitsTheScreenWithEvidenceUnderItsRowAndNoOperatorActions(int width, bool phone)
    {
        await using var gateway = await StartWithOneDownAsync();
        var report = await BuildReportAsync(gateway);
        await using var context = await chromium.NewContextAsync(width: width, height: phone ? 844 : 900, mobile: phone);
        var page = await SignInAsync(context, gateway, OversightKeys.Regulator);

        var rows = await page.EvaluateAsync<string>(
            "[...document.querySelectorAll('#distributors tr.distributor')].map(r => r.cells[0].innerText + '|' + r.querySelector('span.state').innerText).join('\\n')");
        Assert.Equal("PT Uji seller seller|active\nPT Uji down down|inactive", rows);
        var selling = await page.EvaluateAsync<string>("[...document.querySelectorAll('#distributors tr.distributor')].map(r => r.cells[2].innerText).join('\\n')");
        Assert.Equal("yes\nno: down", selling);
        Assert.Contains("Tidak dapat dihubungi / Unreachable", await page.InnerTextAsync("#distributors tr.distributor.flagged"), StringComparison.Ordinal);
        await page.ClickAsync("#distributors tr.evidence summary");
        var evidence = await page.InnerTextAsync("#distributors tr.evidence");
        Assert.Matches(@"Answered \d+ of \d+ health probes \(\d+%\) between \d+ \w+ \d{4} \d\d:\d\d WIB and", evidence);
        Assert.DoesNotContain("UTC", evidence, StringComparison.Ordinal);

        var text = await page.InnerTextAsync("body");
        Assert.StartsWith("Of 2 registered distributors, 1 is selling now, 0 sold in the last 60 minutes and 1 is active; 1 is inactive, with 1 open flag.",
            await page.InnerTextAsync("#summary"), StringComparison.Ordinal);
        Assert.Contains("Regulator", await page.InnerTextAsync("header.site"), StringComparison.Ordinal);
        Assert.DoesNotContain("RegulatorKeys", text, StringComparison.Ordinal);
        Assert.DoesNotContain("docs/oversight-rules.md", text, StringComparison.Ordinal);
        Assert.DoesNotContain("button above", text, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#operator-actions").CountAsync());
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("id", await page.GetAttributeAsync("h1 span", "lang"));

        Assert.Equal(width, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        Assert.Empty(await page.EvaluateAsync<string[]>(ClippedCells));
        if (!phone)
        {
            // On a desk the whole table shows: its wrapper never needs to scroll, and a name stays on one line.
            Assert.True(await page.EvaluateAsync<bool>("(() => { const w = document.querySelector('#distributors').parentElement; return w.scrollWidth <= w.clientWidth; })()"));
            Assert.True(await page.EvaluateAsync<bool>("(() => { const a = document.querySelector('#distributors td.name a'); return a.getClientRects().length === 1; })()"));
        }

        await Chromium.ScreenshotAsync(page, $"oversight-regulator-{width}");
        await Chromium.ClickAndWaitForLoadAsync(page, $"a[href='/oversight/reports/{report.Id}']");
        var findings = await page.EvaluateAsync<string>("[...document.querySelectorAll('#findings li')].map(l => l.innerText).join('\\n')");
        Assert.Contains("\nOf 2 registered distributors,", findings, StringComparison.Ordinal);
        Assert.Equal("2", await page.EvaluateAsync<string>("String(document.querySelectorAll('#report-distributors tbody tr').length)"));
    }

    [Fact]
    public async Task OversightPage_Operator_ActionsAtTheTopInTheFirstScreen()
    {
        await using var gateway = await StartWithOneDownAsync();
        await using var context = await chromium.NewContextAsync(width: 1366, height: 768);
        var page = await SignInAsync(context, gateway, OversightKeys.Operator);

        var actions = await page.Locator("#operator-actions").BoundingBoxAsync();
        var table = await page.Locator("#distributors").BoundingBoxAsync();

        Assert.NotNull(actions);
        Assert.NotNull(table);
        Assert.True(actions.Y + actions.Height <= 768, $"The operator's actions end at {actions.Y + actions.Height}px, below the first screen.");
        Assert.True(actions.Y < table.Y);
        Assert.Contains("Operator", await page.InnerTextAsync("header.site"), StringComparison.Ordinal);
        Assert.DoesNotContain("OperatorKeys", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        await Chromium.ScreenshotAsync(page, "oversight-operator-1366");
    }

    [Theory]
    [InlineData(1366, false)]
    [InlineData(390, true)]
    public async Task DistributorPage_FromTheTable_RendersChartsFlagsAndDaysWithinTheScreen(int width, bool phone)
    {
        await using var gateway = await StartWithOneDownAsync();
        await using var context = await chromium.NewContextAsync(width: width, height: phone ? 844 : 900, mobile: phone);
        var page = await SignInAsync(context, gateway, OversightKeys.Regulator);

        await Chromium.ClickAndWaitForLoadAsync(page, "#distributors a[href='/oversight/distributors/down']");

        Assert.Equal("PT Uji down (down)", await page.InnerTextAsync("h1"));
        foreach (var chart in new[] { "#availability-chart svg", "#orders-chart svg" })
        {
            var box = await page.Locator(chart).BoundingBoxAsync();
            Assert.True(box is { Width: > 200, Height: > 100 }, $"{chart} is drawn {box?.Width}x{box?.Height}.");
        }

        Assert.Equal(OversightQueries.HistoryDays, await page.Locator("#days tbody tr").CountAsync());
        Assert.Matches(@"Tidak dapat dihubungi / Unreachable\s+dibuka / opened \d+ \w+ \d{4} \d\d:\d\d WIB", await page.InnerTextAsync("#flags"));
        Assert.Equal(width, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        Assert.Empty(await page.EvaluateAsync<string[]>(ClippedCells));
        await Chromium.ScreenshotAsync(page, $"distributor-{width}");

        await page.GotoAsync(new Uri(gateway.BaseAddress, "/oversight/distributors/nobody").ToString());
        Assert.Contains("No distributor with that id", await page.InnerTextAsync("main"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesPage_FromTheSummaryLink_ShowsTheRulesAndTheThresholdsInForce()
    {
        await using var gateway = await StartWithOneDownAsync();
        await using var context = await chromium.NewContextAsync(width: 390, height: 844, mobile: true);
        var page = await SignInAsync(context, gateway, OversightKeys.Regulator);

        await Chromium.ClickAndWaitForLoadAsync(page, "#summary a[href='/oversight/rules']");

        var inForce = await page.InnerTextAsync("#in-force");
        Assert.Contains("healthy in fewer than 80% of probes", inForce, StringComparison.Ordinal);
        var overcharged = await page.Locator("#in-force tr", new() { HasText = "Overcharged" }).InnerTextAsync();
        Assert.Contains("any order charged above quantity × Rp 10.000 in the audit window", overcharged, StringComparison.Ordinal);
        var sections = await page.Locator("#rules h2").AllInnerTextsAsync();
        Assert.StartsWith("Selling, sold and active", sections[0], StringComparison.Ordinal);
        Assert.Contains("Where the evidence comes from", sections);
        Assert.Equal(1, await page.Locator("h1").CountAsync());
        Assert.Equal(390, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
    }

    private static async Task<GatewayHarness> StartWithOneDownAsync()
    {
        var gateway = await GatewayHarness.StartAsync([Fleets.Seller("seller"), Fleets.Seller("down")], OversightKeys.Settings());
        await gateway.Fleet["down"].SetDownAsync(DownMode.RefuseConnections);
        for (var i = 0; i < 4; i++)
        {
            await gateway.ProbeNowAsync();
        }

        await gateway.Services.GetRequiredService<ActivityAuditor>().RunAsync(CancellationToken.None);
        return gateway;
    }

    private static async Task<OversightReport> BuildReportAsync(GatewayHarness gateway)
    {
        var now = gateway.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        return await gateway.Services.GetRequiredService<ReportBuilder>().BuildAsync(now.AddHours(-1), now, CancellationToken.None);
    }

    private static async Task<IPage> SignInAsync(IBrowserContext context, GatewayHarness gateway, string key)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(gateway.BaseAddress, "/oversight").ToString());
        await page.FillAsync("#apiKey", key);
        await Chromium.ClickAndWaitForLoadAsync(page, "button[type=submit]");
        return page;
    }
}
