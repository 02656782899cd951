using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>The regulator pages as real headless Chromium renders them: the distributor table and a report.</summary>
[Collection(SharedChromium.Name)]
public sealed class OversightBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task OversightPages_InChromium_ShowDistributorTableWithFlagsAndTheReport()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("seller"), Fleets.Seller("down")], OversightKeys.Settings());
        await gateway.Fleet["down"].SetDownAsync(DownMode.RefuseConnections);
        for (var i = 0; i < 4; i++)
        {
            await gateway.ProbeNowAsync();
        }

        await gateway.Services.GetRequiredService<ActivityAuditor>().RunAsync(CancellationToken.None);
        var now = gateway.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var report = await gateway.Services.GetRequiredService<ReportBuilder>().BuildAsync(now.AddHours(-1), now, CancellationToken.None);

        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(gateway.BaseAddress, "/oversight").ToString());
        await page.FillAsync("#apiKey", OversightKeys.Regulator);
        await Chromium.ClickAndWaitForLoadAsync(page, "button[type=submit]");

        var rows = await page.EvaluateAsync<string>(
            "[...document.querySelectorAll('#distributors tbody tr')].map(r => [...r.cells].slice(0, 3).map(c => c.innerText).join('|')).join('\\n')");
        Assert.Equal("seller|PT Uji seller|active\ndown|PT Uji down|inactive", rows);
        var text = await page.InnerTextAsync("body");
        Assert.Matches(@"unreachable: Answered \d+ of \d+ health probes", text);
        Assert.Contains("1 of 2 registered distributors are active", text, StringComparison.Ordinal);

        await Chromium.ClickAndWaitForLoadAsync(page, $"a[href='/oversight/reports/{report.Id}']");
        var findings = await page.EvaluateAsync<string>("[...document.querySelectorAll('#findings li')].map(l => l.innerText).join('\\n')");
        Assert.Contains("\nOf 2 registered distributors,", findings, StringComparison.Ordinal);
        Assert.Equal("2", await page.EvaluateAsync<string>("String(document.querySelectorAll('#report-distributors tbody tr').length)"));
        await Chromium.ScreenshotAsync(page, "oversight-report");
    }
}
