namespace Meterai.Gateway.Capacity;

/// <summary>
/// The lowest (window median) latency over the current and the previous period, so the minimum is re-measured all
/// the time (Envoy re-measures it periodically): a distributor that really became slower gets a new
/// baseline within two windows instead of being cut to one order for ever. Guarded by the limiter's lock.
/// </summary>
internal sealed class RollingMinimum(TimeProvider time, TimeSpan window)
{
    private long _bucketStart = time.GetTimestamp();
    private TimeSpan _current = TimeSpan.MaxValue;
    private TimeSpan _previous = TimeSpan.MaxValue;

    /// <summary>Adds a sample and returns the minimum now.</summary>
    public TimeSpan Add(TimeSpan latency)
    {
        var age = time.GetElapsedTime(_bucketStart);
        if (age >= window)
        {
            _previous = age >= window * 2 ? TimeSpan.MaxValue : _current;
            _current = TimeSpan.MaxValue;
            _bucketStart = time.GetTimestamp();
        }

        if (latency < _current)
        {
            _current = latency;
        }

        return _current < _previous ? _current : _previous;
    }

    /// <summary>Forgets everything older: <paramref name="latency"/>, measured at low concurrency just now, is the minimum.</summary>
    public void Restart(TimeSpan latency)
    {
        _bucketStart = time.GetTimestamp();
        _current = latency;
        _previous = TimeSpan.MaxValue;
    }
}
