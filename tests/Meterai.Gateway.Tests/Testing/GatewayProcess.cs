using System.Diagnostics;
using System.Text;
using Meterai.Gateway.Routing;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// The built gateway (<c>dotnet Meterai.Gateway.dll</c>) as a real process on a loopback port it
/// picks itself, so that a crash test can kill it with SIGKILL and start it again on the same ledger.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private GatewayProcess(Process process, Uri baseAddress, StringBuilder output)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>Everything it has printed so far, standard output and error.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// How the gateway is started: the built DLL, a port of its own, <paramref name="settings"/> as
    /// command-line configuration, and this process's environment less what a gateway decides for itself.
    /// </summary>
    internal static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> settings)
    {
        var gateway = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(gateway)!,
        };
        start.ArgumentList.Add(gateway);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // An in-process gateway on SQLite turns inline socket completions on for the whole test host,
        // and a child would take that for the operator's choice and keep it, even on PostgreSQL, where it can hang.
        start.Environment.Remove(InlineSocketCompletions.Variable);
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        return start;
    }

    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var start = StartInfo(settings);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway did not start.");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        void Append(string? line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }

        process.OutputDataReceived += (_, line) =>
        {
            Append(line.Data);
            const string Marker = "Now listening on: ";
            if (line.Data?.IndexOf(Marker, StringComparison.Ordinal) is >= 0 and var at)
            {
                listening.TrySetResult(new Uri(line.Data[(at + Marker.Length)..].Trim()));
            }
        };
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => listening.TrySetException(new InvalidOperationException("The gateway exited before it listened.")), TaskScheduler.Default);

        Uri address;
        try
        {
            address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();

            // What the gateway said before it went quiet is the only clue a CI run leaves.
            string said;
            lock (output)
            {
                said = output.ToString();
            }

            throw new TimeoutException($"The gateway did not listen within 60 s. Its output:{Environment.NewLine}{said}");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        var started = new GatewayProcess(process, address, output);
        await Eventually.TrueAsync(() => started.IsReady(), "the gateway to be ready", TimeSpan.FromSeconds(60));
        return started;
    }

    /// <summary>SIGKILL: no shutdown, no flush, no finally.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private bool IsReady()
    {
        try
        {
            using var response = Client.GetAsync(new Uri("/readyz", UriKind.Relative)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
