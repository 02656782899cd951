using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Meterai.LoadGenerator;

/// <summary>
/// Sends request i at start + i/rate on one scheduler thread, whatever the answers do (open loop),
/// and records per request its outcome, status and latency from its due time.
/// </summary>
internal sealed class OpenLoopRunner : IDisposable
{
    private readonly LoadOptions _options;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _abort = new();
    private readonly int _total;
    private readonly double _ticksPerRequest;

    // One slot per request, written once by the request that owns it (outcome by compare-exchange).
    private readonly int[] _outcome;
    private readonly short[] _status;
    private readonly long[] _latencyTicks;

    private readonly int[] _counts = new int[Outcomes.All.Length + 1];
    private readonly TaskCompletionSource _allFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _start;
    private int _sent;
    private int _finished;
    private long _lagTicksSum;
    private long _lagTicksMax;

    public OpenLoopRunner(LoadOptions options)
    {
        _options = options;
        _total = options.Total;
        _ticksPerRequest = Stopwatch.Frequency / options.Rate;
        _outcome = new int[_total];
        _status = new short[_total];
        _latencyTicks = new long[_total];
        // Each request has its own deadline (due time + --timeout); see SendAsync.
        _client = LoadClient.Create(options.Connections);
    }

    public int Sent => Volatile.Read(ref _sent);

    public int Finished => Volatile.Read(ref _finished);

    public int Count(Outcome outcome) => Volatile.Read(ref _counts[(int)outcome]);

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>Stops sending and gives up on every request still waiting (Ctrl+C).</summary>
    public void Abort() => _abort.Cancel();

    /// <summary>Sends for the duration, then waits at most --timeout for the last answers.</summary>
    public async Task<RunResult> RunAsync(Action<OpenLoopRunner> progress)
    {
        _start = Stopwatch.GetTimestamp();
        var scheduler = new Thread(Schedule) { IsBackground = true, Name = "open-loop scheduler", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();

        // Every request ends by its own deadline; the grace covers the last ones' bookkeeping.
        var deadline = _options.Duration + _options.Timeout + TimeSpan.FromSeconds(2);
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (!_allFinished.Task.IsCompleted && Elapsed < deadline && !_abort.IsCancellationRequested)
        {
            await Task.WhenAny(_allFinished.Task, ticker.WaitForNextTickAsync().AsTask()).ConfigureAwait(false);
            progress(this);
        }

        var sendingEnded = _abort.IsCancellationRequested ? Elapsed : _options.Duration;
        await _abort.CancelAsync().ConfigureAwait(false);
        scheduler.Join();
        return Collect(sendingEnded);
    }

    public void Dispose()
    {
        _client.Dispose();
        _abort.Dispose();
    }

    private void Schedule()
    {
        var tolerance = Stopwatch.Frequency / 20_000; // 50 µs: below this, spin instead of sleeping
        for (var i = 0; i < _total && !_abort.IsCancellationRequested; i++)
        {
            var due = _start + (long)(i * _ticksPerRequest);
            long now;
            while ((now = Stopwatch.GetTimestamp()) < due)
            {
                // Sleep(1) wakes about 1 ms later: requests are at most ~1 ms late, never early, and
                // the lateness is part of their latency because it is measured from the due time.
                if (due - now > tolerance)
                {
                    Thread.Sleep(1);
                }
                else
                {
                    Thread.SpinWait(20);
                }
            }

            var lag = now - due;
            _lagTicksSum += lag;
            if (lag > _lagTicksMax)
            {
                _lagTicksMax = lag;
            }

            Interlocked.Increment(ref _sent);
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Runner.SendAsync(s.Index, s.Due), new Work(this, i, due), preferLocal: false);
        }

        // Requests never scheduled (Ctrl+C) count as finished, so the wait does not hang on them.
        var skipped = _total - Volatile.Read(ref _sent);
        if (skipped > 0 && Interlocked.Add(ref _finished, skipped) == _total)
        {
            _allFinished.TrySetResult();
        }
    }

    private async Task SendAsync(int i, long due)
    {
        var left = _options.Timeout - Stopwatch.GetElapsedTime(due);
        if (left <= TimeSpan.Zero)
        {
            Finish(i, Outcome.Unanswered, 0, due); // the generator itself fell that far behind
            return;
        }

        var key = string.Create(CultureInfo.InvariantCulture, $"lg-{_options.Label}-{i:D7}");
        var (outcome, status) = await PurchaseSender.SendAsync(_client, _options, key, i, left, _abort.Token).ConfigureAwait(false);
        Finish(i, outcome, status, due);
    }

    private void Finish(int i, Outcome outcome, short status, long due)
    {
        var latency = Stopwatch.GetTimestamp() - due;
        if (Interlocked.CompareExchange(ref _outcome[i], (int)outcome, (int)Outcome.None) != (int)Outcome.None)
        {
            return; // already written off as unanswered at the end of the run
        }

        _status[i] = status;
        _latencyTicks[i] = latency;
        Interlocked.Increment(ref _counts[(int)outcome]);
        if (Interlocked.Increment(ref _finished) == _total)
        {
            _allFinished.TrySetResult();
        }
    }

    private RunResult Collect(TimeSpan sendingEnded)
    {
        var sent = Sent;
        for (var i = 0; i < sent; i++)
        {
            if (Interlocked.CompareExchange(ref _outcome[i], (int)Outcome.Unanswered, (int)Outcome.None) == (int)Outcome.None)
            {
                Interlocked.Increment(ref _counts[(int)Outcome.Unanswered]);
            }
        }

        var issued = new List<double>();
        var answered = new List<double>();
        var byStatus = new SortedDictionary<int, int>();
        long lastSuccessTicks = 0;
        for (var i = 0; i < sent; i++)
        {
            var outcome = (Outcome)_outcome[i];
            if (_status[i] == 0 || outcome is Outcome.Unanswered or Outcome.TransportError)
            {
                continue;
            }

            var ms = _latencyTicks[i] * 1000.0 / Stopwatch.Frequency;
            answered.Add(ms);
            if (outcome == Outcome.Issued201)
            {
                issued.Add(ms);
            }

            if (outcome is Outcome.Issued201 or Outcome.Pending202)
            {
                lastSuccessTicks = Math.Max(lastSuccessTicks, (long)(i * _ticksPerRequest) + _latencyTicks[i]);
            }

            byStatus[_status[i]] = byStatus.GetValueOrDefault(_status[i]) + 1;
        }

        var counts = Outcomes.All.ToDictionary(o => o, Count);
        return new RunResult(
            _options,
            Offered: _total,
            Sent: sent,
            SendingSeconds: sendingEnded.TotalSeconds,
            LastSuccessSeconds: lastSuccessTicks / (double)Stopwatch.Frequency,
            MeanLagMs: sent == 0 ? 0 : _lagTicksSum * 1000.0 / Stopwatch.Frequency / sent,
            MaxLagMs: _lagTicksMax * 1000.0 / Stopwatch.Frequency,
            counts,
            byStatus,
            Percentiles.Of(issued),
            Percentiles.Of(answered));
    }

    private readonly record struct Work(OpenLoopRunner Runner, int Index, long Due);
}
