using Meterai.Gateway.Tests.Apis;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Status;

/// <summary>/status as a person sees it: rendered by real headless Chromium on a phone-sized screen.</summary>
[Collection(SharedChromium.Name)]
public sealed class StatusBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task StatusPage_PhoneInChromium_ShowsAnswerNumbersTimeAndHowToCheckWithoutSideScrolling()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02"), StatusApiTests.Down("d03")]);
        await StatusApiTests.EventuallyStatusAsync(gateway, s => s.GetProperty("sellingDistributors").GetInt32() == 2);
        await using var context = await chromium.NewContextAsync(width: 390, height: 844, mobile: true);
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(gateway.BaseAddress, "/status").ToString());
        var text = await page.InnerTextAsync("body");
        var screenshot = await Chromium.ScreenshotAsync(page, "status-phone");

        Assert.Contains("YA · YES", text, StringComparison.Ordinal);
        Assert.Contains("Anda bisa membeli e-Meterai sekarang.", text, StringComparison.Ordinal);
        Assert.Contains("You can buy e-Meterai now.", text, StringComparison.Ordinal);
        Assert.Contains("Distributors selling now", text, StringComparison.Ordinal);
        Assert.Contains("dari 3 terdaftar / of 3 registered", text, StringComparison.Ordinal);
        Assert.Contains("WIB", text, StringComparison.Ordinal);
        Assert.Contains("How to check a purchase", text, StringComparison.Ordinal);
        Assert.Contains("GET /api/purchases/{purchaseId}", await page.InnerTextAsync("#how-to-check"), StringComparison.Ordinal);
        Assert.Contains("POST /api/purchases", await page.InnerTextAsync("#how-to-buy"), StringComparison.Ordinal);
        Assert.Equal("id", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Status pembelian / Purchase status · e-Meterai Gateway", await page.TitleAsync());

        // Fits a phone: nothing wider than the screen, and the answer is large.
        Assert.Equal(390, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        var answerSize = await page.EvaluateAsync<double>("parseFloat(getComputedStyle(document.querySelector('.answer .big')).fontSize)");
        Assert.True(answerSize >= 32, $"The yes/no answer is only {answerSize}px.");
        Assert.True(new FileInfo(screenshot).Length > 1000, $"Screenshot {screenshot} is empty.");
    }
}
