using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// Debian's headless Chromium, driven over the DevTools protocol: enough to load a page as a person
/// would, type into a form, read what is shown, and take a screenshot. A small client instead of
/// Playwright, whose package brings a browser download of ~800 MB we neither need nor can fetch.
/// Every wait is bounded; disposing kills the browser and deletes its profile.
/// </summary>
internal sealed partial class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentDictionary<int, (string Method, TaskCompletionSource<JsonObject> Received)> _eventWaiters = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly StringBuilder _stderr = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;
    private string _session = "";

    private Browser(Process process, DirectoryInfo profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Starts Chromium with one blank tab, emulating a phone-sized screen when asked.</summary>
    public static async Task<Browser> StartAsync(int width = 1280, int height = 900, bool mobile = false)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Browser tests need Debian's Chromium at {ChromiumPath}. Install it with: apt-get update && apt-get install -y chromium (.ci/run does this).");
        }

        var profile = Directory.CreateTempSubdirectory("meterai-chromium-");
        var start = new ProcessStartInfo(ChromiumPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
            "--remote-debugging-port=0", $"--user-data-dir={profile.FullName}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
        var browser = new Browser(process, profile);
        try
        {
            var endpoint = await browser.ReadDevToolsEndpointAsync();
            await browser.ConnectAsync(endpoint);
            await browser.SetViewportAsync(width, height, mobile);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>What Chromium wrote to stderr, to explain a failure.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Loads the address and waits for its load event.</summary>
    public async Task NavigateAsync(Uri url)
    {
        var loaded = WaitForEvent("Page.loadEventFired");
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (result["errorText"] is { } error)
        {
            throw new InvalidOperationException($"Chromium could not load {url}: {error}");
        }

        await loaded.WaitAsync(CommandTimeout);
    }

    /// <summary>Runs a JavaScript expression in the page and returns its value as a string (null for undefined or null).</summary>
    public async Task<string?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"JavaScript failed: {exception.ToJsonString()}");
        }

        var value = result["result"]?["value"];
        return value is null ? null : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
    }

    /// <summary>The text a person sees (innerText of the body).</summary>
    public async Task<string> VisibleTextAsync() => await EvaluateAsync("document.body.innerText") ?? "";

    /// <summary>The page's HTML as the browser holds it now.</summary>
    public async Task<string> HtmlAsync() => await EvaluateAsync("document.documentElement.outerHTML") ?? "";

    public async Task<string> LocationAsync() => await EvaluateAsync("location.href") ?? "";

    /// <summary>Focuses the element and types the text as keyboard input.</summary>
    public async Task TypeAsync(string selector, string text)
    {
        await EvaluateAsync($"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); if (!e) throw new Error('no element ' + {JsonSerializer.Serialize(selector)}); e.focus(); return true; }})()");
        await SendAsync("Input.insertText", new JsonObject { ["text"] = text });
    }

    /// <summary>Clicks the element and waits for the page it leads to (a form submission, a link).</summary>
    public async Task ClickAndWaitForLoadAsync(string selector)
    {
        var loaded = WaitForEvent("Page.loadEventFired");
        await EvaluateAsync($"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); if (!e) throw new Error('no element ' + {JsonSerializer.Serialize(selector)}); e.click(); return true; }})()");
        await loaded.WaitAsync(CommandTimeout);
    }

    /// <summary>Sets a cookie in the browser, for a page that needs a session without going through the form.</summary>
    public Task SetCookieAsync(Uri url, string name, string value) =>
        SendAsync("Network.setCookie", new JsonObject { ["url"] = url.ToString(), ["name"] = name, ["value"] = value });

    /// <summary>The browser's cookies for the address, as the browser stores them (HttpOnly and SameSite included).</summary>
    public async Task<IReadOnlyList<JsonObject>> CookiesAsync(Uri url)
    {
        var result = await SendAsync("Network.getCookies", new JsonObject { ["urls"] = new JsonArray(url.ToString()) });
        return result["cookies"]!.AsArray().Select(c => c!.AsObject()).ToList();
    }

    /// <summary>A PNG of the whole page (beyond the viewport too), written to a temporary file whose path is returned.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        var path = Path.Combine(Path.GetTempPath(), $"meterai-{name}-{Environment.ProcessId}.png");
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(result["data"]!.GetValue<string>()));
        return path;
    }

    public Task SetViewportAsync(int width, int height, bool mobile) =>
        SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = 1,
            ["mobile"] = mobile,
        });

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The browser is killed next either way.
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone, or the kernel is slow to reap it: nothing more to do from here.
        }

        try
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or WebSocketException)
        {
            // The receive loop ends with the socket.
        }

        _socket.Dispose();
        _process.Dispose();
        _closing.Dispose();
        _sendLock.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file Chromium's helpers still hold; the temp cleaner gets it.
        }
    }

    private async Task<Uri> ReadDevToolsEndpointAsync()
    {
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }

            if (DevToolsLine().Match(e.Data) is { Success: true } match)
            {
                endpoint.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(endpoint.Task, exited, Task.Delay(StartTimeout));
        if (first != endpoint.Task)
        {
            throw new InvalidOperationException(
                (first == exited ? $"Chromium exited with code {_process.ExitCode}" : $"Chromium did not announce DevTools within {StartTimeout.TotalSeconds} s")
                + " before it was ready. Its stderr:\n" + Diagnostics);
        }

        return await endpoint.Task;
    }

    private async Task ConnectAsync(Uri endpoint)
    {
        using (var timeout = new CancellationTokenSource(CommandTimeout))
        {
            await _socket.ConnectAsync(endpoint, timeout.Token);
        }

        _receiving = Task.Run(ReceiveLoopAsync);

        // One tab, attached in "flat" mode: its commands go over this same socket with a session id.
        var target = await SendBrowserAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await SendBrowserAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        _session = attached["sessionId"]!.GetValue<string>();
        await SendAsync("Page.enable", []);
        await SendAsync("Runtime.enable", []);
        await SendAsync("Network.enable", []);
    }

    private Task<JsonObject> SendAsync(string method, JsonObject parameters) => SendCoreAsync(method, parameters, _session);

    private Task<JsonObject> SendBrowserAsync(string method, JsonObject parameters) => SendCoreAsync(method, parameters, session: null);

    private async Task<JsonObject> SendCoreAsync(string method, JsonObject parameters, string? session)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null)
        {
            message["sessionId"] = session;
        }

        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _sendLock.WaitAsync(_closing.Token);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _closing.Token);
        }
        finally
        {
            _sendLock.Release();
        }

        try
        {
            var reply = await answer.Task.WaitAsync(CommandTimeout);
            if (reply["error"] is { } error)
            {
                throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
            }

            return reply["result"]?.AsObject() ?? [];
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"DevTools {method} did not answer within {CommandTimeout.TotalSeconds} s. Chromium's stderr:\n{Diagnostics}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Registers before the action that causes the event, so the event cannot be missed.</summary>
    private Task<JsonObject> WaitForEvent(string method)
    {
        var received = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Interlocked.Increment(ref _nextId);
        _eventWaiters[id] = (method, received);
        return received.Task.ContinueWith(
            t =>
            {
                _eventWaiters.TryRemove(id, out _);
                return t;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_closing.IsCancellationRequested)
            {
                message.SetLength(0);
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, _closing.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                Dispatch(JsonNode.Parse(message.ToArray())!.AsObject());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Closing, or Chromium went away: pending commands time out with its stderr.
        }
    }

    private void Dispatch(JsonObject message)
    {
        if (message["id"] is { } idNode)
        {
            if (_pending.TryGetValue(idNode.GetValue<int>(), out var answer))
            {
                answer.TrySetResult(message);
            }

            return;
        }

        var method = message["method"]?.GetValue<string>();
        foreach (var (_, waiter) in _eventWaiters)
        {
            if (waiter.Method == method)
            {
                waiter.Received.TrySetResult(message["params"]?.AsObject() ?? []);
            }
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}
