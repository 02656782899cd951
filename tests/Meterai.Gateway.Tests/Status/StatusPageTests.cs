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

    private static async Task<string> RenderAsync(StatusView status, DateTimeOffset now)
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
