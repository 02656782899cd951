using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Meterai.LoadGenerator;

/// <summary>
/// N applicants, each sending one purchase, waiting for its answer, and buying again at once with a
/// fresh Idempotency-Key, until the duration is over (issue 10's closed-loop surge). Goodput is then
/// what the target really sells, since a slow answer holds its applicant back.
/// </summary>
internal sealed class ClosedLoopRunner : IDisposable
{
    private readonly LoadOptions _options;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _abort = new();
    private readonly int[] _counts = new int[Outcomes.All.Length + 1];
    private int _sent;

    public ClosedLoopRunner(LoadOptions options)
    {
        _options = options;
        _client = LoadClient.Create(Math.Max(options.Connections, options.Concurrency ?? 1));
    }

    public void Abort() => _abort.Cancel();

    public async Task<RunResult> RunAsync()
    {
        var start = Stopwatch.GetTimestamp();
        var applicants = Enumerable.Range(0, _options.Concurrency ?? 1).Select(a => Task.Run(() => ApplicantAsync(a, start))).ToArray();
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var all = Task.WhenAll(applicants);
        var previous = 0;
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, ticker.WaitForNextTickAsync().AsTask()).ConfigureAwait(false);
            var issued = Volatile.Read(ref _counts[(int)Outcome.Issued201]);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[loadgen] {Stopwatch.GetElapsedTime(start).TotalSeconds,5:F0}s sent {Volatile.Read(ref _sent),7}  201/s {issued - previous,5}"));
            previous = issued;
        }

        var results = await all.ConfigureAwait(false);
        var issuedMs = new List<double>();
        var answeredMs = new List<double>();
        var byStatus = new SortedDictionary<int, int>();
        double lastSuccess = 0;
        foreach (var records in results)
        {
            foreach (var (outcome, status, startedAt, ms) in records)
            {
                if (status != 0)
                {
                    answeredMs.Add(ms);
                    byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
                }

                if (outcome == Outcome.Issued201)
                {
                    issuedMs.Add(ms);
                }

                if (outcome is Outcome.Issued201 or Outcome.Pending202)
                {
                    lastSuccess = Math.Max(lastSuccess, startedAt + (ms / 1000));
                }
            }
        }

        var sent = Volatile.Read(ref _sent);
        return new RunResult(
            _options,
            Offered: sent,
            Sent: sent,
            SendingSeconds: _options.Duration.TotalSeconds,
            LastSuccessSeconds: Math.Min(lastSuccess, _options.Duration.TotalSeconds),
            MeanLagMs: 0,
            MaxLagMs: 0,
            Outcomes.All.ToDictionary(o => o, o => _counts[(int)o]),
            byStatus,
            Percentiles.Of(issuedMs),
            Percentiles.Of(answeredMs));
    }

    public void Dispose()
    {
        _client.Dispose();
        _abort.Dispose();
    }

    private async Task<List<(Outcome, short, double, double)>> ApplicantAsync(int applicant, long start)
    {
        var records = new List<(Outcome, short, double, double)>();
        for (var n = 0; Stopwatch.GetElapsedTime(start) < _options.Duration && !_abort.IsCancellationRequested; n++)
        {
            Interlocked.Increment(ref _sent);
            var startedAt = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var sentAt = Stopwatch.GetTimestamp();
            var (outcome, status) = await SendAsync(applicant, n).ConfigureAwait(false);
            Interlocked.Increment(ref _counts[(int)outcome]);
            records.Add((outcome, status, startedAt, Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds));
        }

        return records;
    }

    private Task<(Outcome Outcome, short Status)> SendAsync(int applicant, int n) =>
        PurchaseSender.SendAsync(
            _client, _options, string.Create(CultureInfo.InvariantCulture, $"cl-{_options.Label}-{applicant:D5}-{n:D7}"), applicant, _options.Timeout, _abort.Token);
}
