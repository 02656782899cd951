namespace Meterai.Gateway.Admission;

/// <summary>
/// Orders completed per second over a sliding window of one-second buckets, on the injected
/// clock's monotonic timestamps. This is the fleet's real selling speed right now, which is what
/// a wait estimate and a Retry-After must be computed from: configured capacities lie when a
/// distributor slows down.
/// </summary>
internal sealed class DrainRate
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long[] _second;
    private readonly int[] _count;
    private readonly Lock _lock = new();
    private readonly int _window;

    public DrainRate(TimeProvider time, int windowSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSeconds, 1);
        _time = time;
        _origin = time.GetTimestamp();
        _window = windowSeconds;

        // One bucket more than the window: the second still filling must not overwrite the oldest whole one.
        _second = new long[windowSeconds + 1];
        _count = new int[windowSeconds + 1];
        Array.Fill(_second, -1);
    }

    public void Record()
    {
        var now = Second();
        var slot = (int)(now % _second.Length);
        lock (_lock)
        {
            if (_second[slot] != now)
            {
                _second[slot] = now;
                _count[slot] = 0;
            }

            _count[slot]++;
        }
    }

    /// <summary>Completions per second over the last whole seconds of the window; 0 when nothing completed.</summary>
    public double PerSecond()
    {
        var now = Second();
        var oldest = now - _window;
        var total = 0;
        lock (_lock)
        {
            for (var i = 0; i < _second.Length; i++)
            {
                // The current second is still filling; counting it would understate the rate.
                if (_second[i] >= oldest && _second[i] < now)
                {
                    total += _count[i];
                }
            }
        }

        // A young process has not seen a whole window yet: divide by the whole seconds it has seen.
        var seconds = Math.Clamp(now, 1, _window);
        return (double)total / seconds;
    }

    private long Second() => (long)_time.GetElapsedTime(_origin).TotalSeconds;
}
