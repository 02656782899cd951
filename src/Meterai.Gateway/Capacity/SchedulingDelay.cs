namespace Meterai.Gateway.Capacity;

/// <summary>
/// How late the gateway runs its own work now: a work item queued on the thread pool every
/// <see cref="Period"/>, timed from queueing to running. An order's measured latency includes such a
/// wait (the code that reads the answer waits for a thread like everything else, and on a busy host
/// for a CPU), which the limiter takes off, so a busy gateway is not read as a congested distributor.
/// </summary>
/// <remarks>
/// <see cref="Recent"/> is the longest of the last few waits: a sample finishing now may have
/// waited through a stall that has just ended. On the injected clock: a fake clock sees no delay.
/// </remarks>
internal sealed class SchedulingDelay(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits <see cref="Recent"/> looks back over: 200 ms, a few of a slow answer's time.</summary>
    private const int Kept = 4;

    private readonly TimeProvider _time = time;
    private readonly long[] _waits = new long[Kept];
    private int _next;

    /// <summary>The longest wait for a thread over the last few probes; zero when none was measured.</summary>
    public TimeSpan Recent
    {
        get
        {
            var longest = 0L;
            for (var i = 0; i < Kept; i++)
            {
                longest = Math.Max(longest, Volatile.Read(ref _waits[i]));
            }

            return TimeSpan.FromTicks(longest);
        }
    }

    /// <summary>One probe's wait; the oldest of the kept ones is forgotten.</summary>
    public void Observe(TimeSpan wait)
    {
        var slot = (int)((uint)Interlocked.Increment(ref _next) % Kept);
        Volatile.Write(ref _waits[slot], Math.Max(0, wait.Ticks));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // The global queue, not this thread's local one: where the gateway's arriving work waits.
                ThreadPool.UnsafeQueueUserWorkItem(
                    static probe => probe.Delay.Observe(probe.Delay._time.GetElapsedTime(probe.QueuedAt)),
                    (Delay: this, QueuedAt: _time.GetTimestamp()),
                    preferLocal: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
