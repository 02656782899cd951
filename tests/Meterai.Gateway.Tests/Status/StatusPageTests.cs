using Meterai.Gateway.Status;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meterai.Gateway.Tests.Status;

/// <summary>/status's words, rendered by the component itself: plurals, the time, and how to buy and check.</summary>
public sealed class StatusPageTests
{
    private static readonly DateTimeOffset Probed = new(2026, 11, 30, 16, 59, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, "1 detik lalu / <span lang=\"en\">1 second ago</span>")]
    [InlineData(2, "2 detik lalu / <span lang=\"en\">2 seconds ago</span>")]
    [InlineData(0, "0 detik lalu / <span lang=\"en\">0 seconds ago</span>")]
    [InlineData(60, "60 detik lalu / <span lang=\"en\">60 seconds ago</span>")]
    [InlineData(120, "2 menit lalu / <span lang=\"en\">2 minutes ago</span>")]
    public async Task Updated_SecondsAgo_EnglishPluralOnlyAboveOne(int secondsAgo, string expected)
    {
        var html = await RenderAsync(new StatusView(true, 1, 1, 0, Probed), Probed.AddSeconds(secondsAgo));

        Assert.Contains(expected, html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "about 1 second<")]
    [InlineData(45, "about 45 seconds<")]
    [InlineData(121, "about 3 minutes<")]
    public async Task Wait_Seconds_EnglishPluralOnlyAboveOne(int seconds, string expected)
    {
        var html = await RenderAsync(new StatusView(true, 1, 1, seconds, Probed), Probed);

        Assert.Contains(expected, html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "1 detik", "1 second")]
    [InlineData(59, "59 detik", "59 seconds")]
    [InlineData(60, "1 menit", "1 minute")]
    [InlineData(61, "2 menit", "2 minutes")]
    [InlineData(150, "3 menit", "3 minutes")]
    [InlineData(3600, "60 menit", "60 minutes")]
    public void WaitWords_Seconds_SecondsUnderAMinuteThenWholeMinutesRoundedUp(int seconds, string id, string en)
    {
        Assert.Equal((id, en), StatusPage.WaitWords(seconds));
    }

    [Theory]
    [InlineData(45, "Ada antrean: sekitar 45 detik.", "Queue: about 45 seconds.")]
    [InlineData(150, "Ada antrean: sekitar 3 menit.", "Queue: about 3 minutes.")]
    public async Task Line_WaitAboveZero_SaysTheWaitAndToRetryWithTheSameKeyInBothLanguages(int seconds, string id, string en)
    {
        var html = await RenderAsync(new StatusView(true, 2, 3, seconds, Probed), Probed);
        var start = html.IndexOf("<p class=\"notice queue\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "no queue notice on the page");
        var notice = html[start..];

        Assert.Contains(id, notice, StringComparison.Ordinal);
        Assert.Contains(en, notice, StringComparison.Ordinal);
        Assert.Contains("gunakan <code class=\"call nowrap\">Idempotency-Key</code> yang sama agar tempat Anda tidak hilang", notice, StringComparison.Ordinal);
        Assert.Contains("Anda dilayani sesuai urutan kedatangan pertama", notice, StringComparison.Ordinal);
        Assert.Contains("You are served in order of first arrival", notice, StringComparison.Ordinal);

        // The sentence and the figure below it say the same wait.
        Assert.Contains($"± {id["Ada antrean: sekitar ".Length..^1]}<small lang=\"en\">about {en["Queue: about ".Length..^1]}</small>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Line_NoWait_NoQueueNotice()
    {
        var html = await RenderAsync(new StatusView(true, 2, 3, 0, Probed), Probed);

        Assert.DoesNotContain("notice queue", html, StringComparison.Ordinal);
        Assert.Contains("Tidak perlu antre<small lang=\"en\">No wait</small>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_Any_SaysHowToBuyAndHowToCheckInNaturalIndonesian()
    {
        var html = await RenderAsync(new StatusView(false, 0, 3, 0, null), Probed);

        Assert.Contains("<code class=\"call\">POST /api/purchases</code>", html, StringComparison.Ordinal);
        Assert.Contains("<code class=\"call\">GET /api/purchases/{purchaseId}</code>", html, StringComparison.Ordinal);
        Assert.Contains("Halaman ini diperbarui otomatis setiap 30 detik.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("memperbarui diri", html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"id\">", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"en\" lang=\"en\">How to check a purchase</span>", html, StringComparison.Ordinal);
    }

    /// <summary>The page as /status sends it, for a status built by hand (StatusBrowserTests shows it in Chromium).</summary>
    internal static async Task<string> RenderAsync(StatusView status, DateTimeOffset now)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<StatusPage>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(StatusPage.Status)] = status,
                [nameof(StatusPage.Now)] = now,
            }));
            return output.ToHtmlString();
        });
    }
}
