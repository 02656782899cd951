using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Meterai.Gateway.Tests.Observability.Dashboards;

namespace Meterai.Gateway.Tests.Observability.LivePrometheus;

/// <summary>
/// A real Prometheus (Debian's prometheus package) on loopback: a free port, its TSDB in a temp
/// directory, scraping one target every second as job meterai-gateway, with the repository's rules
/// from deploy/prometheus/rules evaluated every second. Killed on dispose.
/// </summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    public const string Job = "meterai-gateway";

    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _log;

    private PrometheusProcess(Process process, DirectoryInfo directory, StringBuilder log, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        _log = log;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>What Prometheus logged, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="target">host:port of the /metrics to scrape.</param>
    public static async Task<PrometheusProcess> StartAsync(string target)
    {
        var directory = Directory.CreateTempSubdirectory("meterai-prometheus-test-");
        try
        {
            // A port taken between our probe and Prometheus's bind: try another.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                var started = await TryStartAsync(directory, target, port);
                if (started is not null || attempt == 3)
                {
                    return started ?? throw new InvalidOperationException("Prometheus did not start on a free loopback port in 3 attempts.");
                }
            }
        }
        catch
        {
            TryDelete(directory);
            throw;
        }
    }

    /// <summary>An instant query at now: data.result, or an exception naming the query and the error.</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        using var content = new FormUrlEncodedContent([new("query", promql)]);
        using var response = await Client.PostAsync("/api/v1/query", content);
        var json = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!response.IsSuccessStatusCode || root.GetProperty("status").GetString() != "success")
        {
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : json;
            throw new PromQlException($"{(int)response.StatusCode} {error}");
        }

        return root.GetProperty("data").GetProperty("result").Clone();
    }

    public async Task<double> ScalarAsync(string promql)
    {
        var result = await QueryAsync(promql);
        return result.GetArrayLength() == 0 ? 0 : ValueOf(result[0]);
    }

    public static double ValueOf(JsonElement sample) =>
        double.Parse(sample.GetProperty("value")[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>
    /// Polls Prometheus until it has scraped the target successfully at least <paramref name="count"/>
    /// times since <paramref name="since"/>: the data to query is then in the TSDB, without a guessed sleep.
    /// </summary>
    public async Task WaitForScrapesAsync(int count, DateTimeOffset since, TimeSpan within)
    {
        var (scraped, seconds) = (0.0, 0);
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    seconds = Math.Max(1, (int)Math.Ceiling((DateTimeOffset.UtcNow - since).TotalSeconds));
                    scraped = await ScalarAsync($"sum_over_time(up{{job=\"{Job}\"}}[{seconds}s])");
                    if (scraped >= count)
                    {
                        return true;
                    }

                    // A /metrics that does not exist will not appear by waiting: say so at once.
                    if (DateTimeOffset.UtcNow - since > TimeSpan.FromSeconds(5) && await TargetHealthAsync() is var health && health.Contains("404", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"Prometheus cannot scrape the target: {health}");
                    }

                    return false;
                },
                $"{count} scrapes",
                within,
                TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Prometheus scraped the target successfully {scraped} times in {seconds}s, not {count}. Target: {await TargetHealthAsync()}");
        }
    }

    /// <summary>The scrape target's health and last error, from /api/v1/targets.</summary>
    public async Task<string> TargetHealthAsync()
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/targets"));
        var targets = document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => $"{t.GetProperty("scrapeUrl").GetString()} health={t.GetProperty("health").GetString()} lastError='{t.GetProperty("lastError").GetString()}'");
        return string.Join("; ", targets);
    }

    /// <summary>Every loaded rule's name, health and last error, from /api/v1/rules.</summary>
    public async Task<IReadOnlyList<(string Name, string Health, string Error)>> RulesAsync()
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/rules"));
        return document.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("health").GetString()!, r.TryGetProperty("lastError", out var e) ? e.GetString() ?? "" : ""))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or Win32Exception)
        {
            // Already gone, or stuck: nothing more a test can do.
        }

        _process.Dispose();
        TryDelete(_directory);
    }

    private static async Task<PrometheusProcess?> TryStartAsync(DirectoryInfo directory, string target, int port)
    {
        var rules = Path.Combine(RepositoryFiles.PrometheusDirectory, "rules", "*.rules.yml");
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:
              - '{rules}'
            scrape_configs:
              - job_name: {Job}
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target}']
            """);

        var data = Path.Combine(directory.FullName, "data-" + port.ToString(CultureInfo.InvariantCulture));
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.FullName,
        };
        foreach (var argument in new[]
        {
            "--config.file=" + config,
            "--storage.tsdb.path=" + data,
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            "--storage.tsdb.retention.time=1h",
            "--log.level=warn",
        })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"prometheus is not installed ({ex.Message}). Install Debian's prometheus package (apt-get install -y prometheus) "
                + "or set PROMETHEUS to its path; .ci/run installs it.",
                ex);
        }

        var log = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    log.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var prometheus = new PrometheusProcess(process, directory, log, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await Eventually.TrueAsync(async () => process.HasExited || await IsReadyAsync(prometheus.Client), "prometheus ready", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException)
        {
            var log30 = prometheus.Log;
            process.Kill(entireProcessTree: true);
            prometheus.Client.Dispose();
            process.Dispose();
            throw new TimeoutException($"prometheus was not ready within 30 seconds:{Environment.NewLine}{log30}");
        }

        if (!process.HasExited)
        {
            return prometheus;
        }

        var exited = prometheus.Log;
        var code = process.ExitCode;
        prometheus.Client.Dispose();
        process.Dispose();
        if (exited.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        throw new InvalidOperationException($"prometheus exited with code {code}:{Environment.NewLine}{exited}");
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var ready = await client.GetAsync("/-/ready");
            return ready.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Executable => Environment.GetEnvironmentVariable("PROMETHEUS") is { Length: > 0 } path ? path : "prometheus";

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner gets it.
        }
        catch (UnauthorizedAccessException)
        {
            // The OS temp cleaner gets it.
        }
    }
}

/// <summary>Prometheus refused a query (bad PromQL, say).</summary>
internal sealed class PromQlException(string message) : Exception(message);
