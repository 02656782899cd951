using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Meterai.LoadGenerator;

/// <summary>
/// The fairness run (issue 28): applicant i arrives at start + i/rate (open loop) and keeps one
/// Idempotency-Key until a final answer or its --timeout. Polite applicants wait the Retry-After they
/// are given; the others retry every --hammer-interval whatever they are told. Records per applicant
/// its wait, its requests and when it was served, so that service order can be set against arrival.
/// </summary>
internal sealed class FairnessRunner : IDisposable
{
    private readonly LoadOptions _options;
    private readonly IReadOnlyList<Uri> _targets;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _abort = new();
    private readonly int _total;
    private readonly double _ticksPerArrival;

    // One slot per applicant, written only by the applicant's own task.
    private readonly ApplicantRecord?[] _applicants;
    private readonly int[] _byStatus = new int[600]; // index 0 = no answer (transport failure or out of time)
    private readonly List<double> _retryAfterSeconds = [];
    private readonly TaskCompletionSource _allFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _start;
    private int _arrived;
    private int _finished;
    private int _served;
    private int _requests;
    private int _nextTarget = -1;
    private int _placed503;
    private int _unplaced503;

    public FairnessRunner(LoadOptions options)
    {
        _options = options;
        _targets = options.Targets ?? [options.Url];
        _total = options.Applicants ?? 0;
        _ticksPerArrival = Stopwatch.Frequency / options.Rate;
        _applicants = new ApplicantRecord?[_total];
        // Each request gets what is left of its applicant's --timeout; see ApplicantAsync.
        _client = LoadClient.Create(options.Connections);
    }

    /// <summary>
    /// Whether applicant i honours Retry-After: polite ones are spread evenly through the arrivals
    /// (share 0.5 = every other one, starting with the second), so both groups arrive alike.
    /// </summary>
    internal static bool IsPolite(int i, double share) => Math.Floor((i + 1) * share) > Math.Floor(i * share);

    /// <summary>Stops arrivals and retries (Ctrl+C); applicants still waiting count as unserved.</summary>
    public void Abort() => _abort.Cancel();

    public async Task<FairnessResult> RunAsync()
    {
        _start = Stopwatch.GetTimestamp();
        var scheduler = new Thread(Schedule) { IsBackground = true, Name = "fairness arrivals", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();

        var deadline = _options.Duration + _options.Timeout + TimeSpan.FromSeconds(5);
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var previous = (Served: 0, Requests: 0);
        while (!_allFinished.Task.IsCompleted && Stopwatch.GetElapsedTime(_start) < deadline && !_abort.IsCancellationRequested)
        {
            await Task.WhenAny(_allFinished.Task, ticker.WaitForNextTickAsync().AsTask()).ConfigureAwait(false);
            var served = Volatile.Read(ref _served);
            var requests = Volatile.Read(ref _requests);
            var arrived = Volatile.Read(ref _arrived);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[loadgen] {Stopwatch.GetElapsedTime(_start).TotalSeconds,5:F0}s arrived {arrived,6} served {served,6} waiting {arrived - Volatile.Read(ref _finished),6}  served/s {served - previous.Served,4}  requests/s {requests - previous.Requests,6}"));
            previous = (served, requests);
        }

        await _abort.CancelAsync().ConfigureAwait(false);
        scheduler.Join();
        var span = Stopwatch.GetElapsedTime(_start);

        // An applicant whose task did not record itself before the end (aborted) is unserved.
        var records = new List<ApplicantRecord>(_total);
        for (var i = 0; i < Volatile.Read(ref _arrived); i++)
        {
            records.Add(Volatile.Read(ref _applicants[i]) ?? new ApplicantRecord(i, IsPolite(i, _options.PoliteShare), i / _options.Rate, null, 0, 0));
        }

        List<double> retryAfter;
        lock (_retryAfterSeconds)
        {
            retryAfter = [.. _retryAfterSeconds];
        }

        var byStatus = new SortedDictionary<int, int>();
        for (var s = 0; s < _byStatus.Length; s++)
        {
            if (Volatile.Read(ref _byStatus[s]) is > 0 and var n)
            {
                byStatus[s] = n;
            }
        }

        return new FairnessResult(_options, _total, records, byStatus, _placed503, _unplaced503, retryAfter, span.TotalSeconds);
    }

    public void Dispose()
    {
        _client.Dispose();
        _abort.Dispose();
    }

    private void Schedule()
    {
        for (var i = 0; i < _total && !_abort.IsCancellationRequested; i++)
        {
            var due = _start + (long)(i * _ticksPerArrival);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.Sleep(1); // arrivals are at most ~1 ms late; the wait is measured from the due time anyway
            }

            Interlocked.Increment(ref _arrived);
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Runner.ApplicantAsync(s.Index, s.Due), new Work(this, i, due), preferLocal: false);
        }
    }

    private async Task ApplicantAsync(int i, long due)
    {
        var polite = IsPolite(i, _options.PoliteShare);
        var key = string.Create(CultureInfo.InvariantCulture, $"fair-{_options.Label}-{i:D6}");
        var hammer = TimeSpan.FromSeconds(_options.HammerInterval);
        short finalStatus = 0;
        double? answeredSeconds = null;
        var requests = 0;
        try
        {
            while (!_abort.IsCancellationRequested)
            {
                var left = _options.Timeout - Stopwatch.GetElapsedTime(due);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                var target = _targets[(int)((uint)Interlocked.Increment(ref _nextTarget) % (uint)_targets.Count)];
                var answer = await PurchaseSender.SendForTurnAsync(_client, _options, target, key, i, left, _abort.Token).ConfigureAwait(false);
                requests++;
                Record(answer);
                if (answer.Status is 201 or 202)
                {
                    finalStatus = answer.Status;
                    answeredSeconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
                    Interlocked.Increment(ref _served);
                    break;
                }

                // Any other 4xx is the end for this applicant; 409 (its key is still in progress),
                // 429, 5xx and no answer at all are worth another try with the same key.
                if (answer.Status is >= 400 and < 500 and not (409 or 429))
                {
                    finalStatus = answer.Status;
                    break;
                }

                var wait = polite ? answer.RetryAfter is { } ra && ra > TimeSpan.Zero ? ra : TimeSpan.FromSeconds(1) : hammer;
                if (Stopwatch.GetElapsedTime(due) + wait >= _options.Timeout)
                {
                    break; // its turn would come after it has given up
                }

                await Task.Delay(wait, _abort.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // aborted while waiting to retry: unserved
        }
        finally
        {
            Volatile.Write(ref _applicants[i], new ApplicantRecord(i, polite, (due - _start) / (double)Stopwatch.Frequency, answeredSeconds, finalStatus, requests));
            if (Interlocked.Increment(ref _finished) == _total)
            {
                _allFinished.TrySetResult();
            }
        }
    }

    private void Record(Answer answer)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _byStatus[Math.Clamp((int)answer.Status, 0, _byStatus.Length - 1)]);
        if (answer.HasPlace is { } placed)
        {
            Interlocked.Increment(ref placed ? ref _placed503 : ref _unplaced503);
        }

        if (answer.RetryAfter is { } retryAfter)
        {
            lock (_retryAfterSeconds)
            {
                _retryAfterSeconds.Add(retryAfter.TotalSeconds);
            }
        }
    }

    private readonly record struct Work(FairnessRunner Runner, int Index, long Due);
}

/// <summary>
/// One applicant's run: seconds from the run's start to its arrival (its first request's due time)
/// and to its 201/202 (null = unserved), its final status (0 = gave up or no final answer) and the
/// requests it sent.
/// </summary>
internal sealed record ApplicantRecord(int Index, bool Polite, double ArrivalSeconds, double? AnsweredSeconds, short FinalStatus, int Requests)
{
    public bool Served => AnsweredSeconds is not null;

    /// <summary>Seconds from arrival to the final 201/202 answer; null when unserved.</summary>
    public double? WaitSeconds => AnsweredSeconds - ArrivalSeconds;
}
