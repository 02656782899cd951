using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>The report page and /oversight in real Chromium (Playwright), at phone width and at desk width, on screen and in print.</summary>
[Collection(SharedChromium.Name)]
public sealed class ReportPageBrowserTests(Chromium chromium)
{
    // Distributor names as long as real ones: the report page used to wrap them into a narrow column.
    private const string LongName = "PT Distribusi Meterai Elektronik Nusantara Sejahtera";

    [Theory]
    [InlineData(390, 844, true)]
    [InlineData(1280, 900, false)]
    public async Task ReportPage_InChromium_FitsTheWidthWithNamesOnOneLineAndChartsDrawn(int width, int height, bool mobile)
    {
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01"), Fleets.Seller("d02"), Fleets.Seller("d03")],
            OversightKeys.Settings(),
            editRegistry: json => json.Replace("PT Uji d01", LongName, StringComparison.Ordinal));
        for (var i = 0; i < 3; i++)
        {
            using var sale = await gateway.PurchaseAsync($"browser-{i}");
        }

        await ActivatorUtilities.CreateInstance<HourlyEvidenceJob>(gateway.Services).SampleCapacityAsync(CancellationToken.None);
        var now = gateway.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var report = await gateway.Services.GetRequiredService<ReportBuilder>().BuildAsync(now.AddHours(-6), now, CancellationToken.None);

        await using var context = await chromium.NewContextAsync(width, height, mobile, new Dictionary<string, string> { ["X-Api-Key"] = OversightKeys.Regulator });
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(new Uri(gateway.BaseAddress, $"/oversight/reports/{report.Id}").ToString());
        Assert.Equal(200, response!.Status);
        await AssertFitsAsync(page, width);

        // Each name on one line, and its cell as wide as the name: no narrow column.
        var names = await page.EvaluateAsync<double[][]>("""
            [...document.querySelectorAll('#report-distributors td.name')].map(td => {
              const range = document.createRange(); range.selectNodeContents(td);
              return [range.getClientRects().length, td.clientWidth, td.scrollWidth, range.getBoundingClientRect().width];
            })
            """);
        Assert.Equal(3, names.Length);
        Assert.All(names, n => Assert.Equal(1, n[0]));
        Assert.All(names, n => Assert.True(n[2] <= n[1], $"a name overflows its cell: {n[2]} > {n[1]}"));
        Assert.Contains(LongName, await page.InnerTextAsync("#report-distributors"), StringComparison.Ordinal);
        if (!mobile)
        {
            // On a desk the whole table fits: nothing hides behind a sideways scroll.
            var table = await page.EvaluateAsync<int[]>("(w => [w.scrollWidth, w.clientWidth])(document.querySelector('#report-distributors').parentElement)");
            Assert.True(table[0] <= table[1], $"the distributor table scrolls sideways at {width} px: {table[0]} > {table[1]}");
        }

        // The charts are drawn, as wide as the page allows and never wider.
        var charts = await page.EvaluateAsync<double[]>("[...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().width)");
        Assert.Equal(1 + 3, charts.Length);
        Assert.All(charts, w => Assert.InRange(w, 300, width));
        Assert.True(await page.IsVisibleAsync("#download-pdf"));

        // In print: the charts stay, the download link goes, and still nothing overflows.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        Assert.True(await page.IsVisibleAsync("#fleet-chart svg"));
        Assert.False(await page.IsVisibleAsync("#download-pdf"));
        await AssertFitsAsync(page, width);
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
        await Chromium.ScreenshotAsync(page, $"report-{width}");

        // /oversight: the last day's fleet chart (each distributor's are on its own page), also within the width.
        await page.GotoAsync(new Uri(gateway.BaseAddress, "/oversight").ToString());
        await AssertFitsAsync(page, width);
        Assert.Equal(1, await page.Locator("svg.chart").CountAsync());
    }

    private static async Task AssertFitsAsync(IPage page, int width)
    {
        var sizes = await page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scroll, client) = (sizes[0], sizes[1]);
        Assert.True(scroll <= client, $"the page scrolls sideways at {width} px: {scroll} > {client}");
    }
}
