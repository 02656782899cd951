using Microsoft.Playwright;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// Debian's headless Chromium under Playwright, launched once for every browser test class in the
/// <see cref="SharedChromium"/>; each test gets its own context (cookies, viewport) and so stays isolated.
/// Playwright's own browser download is not used: <see cref="ExecutablePath"/> is the system Chromium.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Browser tests need Debian's Chromium at {ExecutablePath}. Install it with: apt-get update && apt-get install -y chromium (.ci/run does this).");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No sandbox: CI and the dev box run the tests as root, where Chromium's sandbox refuses to start.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        });
    }

    /// <summary>A fresh context (no cookies), phone-sized when asked, whose waits are bounded.</summary>
    public async Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 900, bool mobile = false, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var context = await _browser!.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = height },
            IsMobile = mobile,
            ExtraHTTPHeaders = headers,
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>Clicks the element and waits for the page it leads to (a form submission, a link).</summary>
    public static async Task ClickAndWaitForLoadAsync(IPage page, string selector)
    {
        // The page's load event, not RunAndWaitForNavigationAsync, which Playwright has made obsolete.
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLoad(object? sender, IPage loadedPage) => loaded.TrySetResult();
        page.Load += OnLoad;
        try
        {
            await page.ClickAsync(selector);
            await loaded.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            page.Load -= OnLoad;
        }
    }

    /// <summary>A PNG of the whole page, written to a temporary file whose path is returned.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"meterai-{name}-{Environment.ProcessId}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The browser test classes: they share one <see cref="Chromium"/> and, on a small machine, do not race each other.</summary>
[CollectionDefinition(Name)]
public sealed class SharedChromium : ICollectionFixture<Chromium>
{
    public const string Name = "Chromium";
}
