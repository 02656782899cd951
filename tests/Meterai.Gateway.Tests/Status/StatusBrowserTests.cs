using Meterai.Gateway.Status;
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

    /// <summary>Issue 28: in a rush the wait is said in words, under the answer, on a phone and on a desk.</summary>
    [Theory]
    [InlineData(390, 844, true)]
    [InlineData(1366, 900, false)]
    public async Task StatusPage_RushInChromium_SaysTheWaitInWordsUnderTheAnswerWithoutSideScrolling(int width, int height, bool mobile)
    {
        var probed = new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);
        var html = await StatusPageTests.RenderAsync(new StatusView(true, 3, 10, 150, probed), probed.AddSeconds(20));
        await using var context = await chromium.NewContextAsync(width, height, mobile);
        var page = await context.NewPageAsync();

        await page.SetContentAsync(html);
        var notice = await page.InnerTextAsync("#queue");
        var screenshot = await Chromium.ScreenshotAsync(page, $"status-queue-{width}");

        Assert.Contains("Ada antrean: sekitar 3 menit.", notice, StringComparison.Ordinal);
        Assert.Contains("Queue: about 3 minutes.", notice, StringComparison.Ordinal);
        Assert.Contains("Idempotency-Key", notice, StringComparison.Ordinal);
        Assert.True(await page.IsVisibleAsync("#queue"));

        // Between the yes/no answer and the figures, so it is read before the numbers.
        var answerBottom = await page.EvaluateAsync<double>("document.querySelector('.answer').getBoundingClientRect().bottom");
        var noticeTop = await page.EvaluateAsync<double>("document.querySelector('#queue').getBoundingClientRect().top");
        var figuresTop = await page.EvaluateAsync<double>("document.querySelector('dl.figures').getBoundingClientRect().top");
        Assert.InRange(noticeTop, answerBottom, figuresTop);
        Assert.Equal(width, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        Assert.True(new FileInfo(screenshot).Length > 1000, $"Screenshot {screenshot} is empty.");
    }
}
