using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// The real gateway as a process of its own (dotnet Meterai.Gateway.dll) on a loopback port it
/// picks itself, so that a test can kill it with SIGKILL, as a crash would.
/// </summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

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

    public static async Task<GatewayProcess> StartAsync(IDictionary<string, string?> settings)
    {
        var gateway = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(gateway)!,
        };
        foreach (var argument in new[] { gateway, "--urls", "http://127.0.0.1:0" }.Concat(settings.SelectMany(s => new[] { $"--{s.Key}", s.Value ?? "" })))
        {
            start.ArgumentList.Add(argument);
        }

        var self = new GatewayProcess(Process.Start(start) ?? throw new InvalidOperationException("The gateway did not start."));
        self._process.OutputDataReceived += (_, e) => self.Append(e.Data);
        self._process.ErrorDataReceived += (_, e) => self.Append(e.Data);
        self._process.BeginOutputReadLine();
        self._process.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(() => ListeningOn().IsMatch(self.Output) || self.HasExited, "the gateway listens", TimeSpan.FromSeconds(90));
            var match = ListeningOn().Match(self.Output);
            if (!match.Success)
            {
                throw new InvalidOperationException($"The gateway exited at start:\n{self.Output}");
            }

            self.BaseAddress = new Uri(match.Groups[1].Value);
            self.Client = new HttpClient { BaseAddress = self.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            return self;
        }
        catch
        {
            await self.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, whatever it was doing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
