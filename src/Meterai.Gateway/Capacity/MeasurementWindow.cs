namespace Meterai.Gateway.Capacity;

/// <summary>
/// Answers to orders sent since the window opened: their mean latency and the most orders that
/// were in flight, which is the concurrency that latency belongs to. Not thread-safe: the owning
/// limiter's lock guards it.
/// </summary>
internal sealed class MeasurementWindow
{
    private long _openedAt = long.MinValue;
    private int _count;
    private long _sumTicks;

    public int PeakInFlight { get; private set; }

    public double MeanTicks => _count == 0 ? 0 : (double)_sumTicks / _count;

    /// <summary>Counts the sample if it was sent since the window opened; true once the window holds <paramref name="needed"/>.</summary>
    public bool Add(in CapacitySample sample, int needed)
    {
        // Orders sent before the last decision measure the old limit, not the current one.
        if (sample.SentAt < _openedAt)
        {
            return false;
        }

        _count++;
        _sumTicks += sample.Latency.Ticks;
        PeakInFlight = Math.Max(PeakInFlight, sample.InFlight);
        return _count >= needed;
    }

    public void Open(long now)
    {
        _openedAt = now;
        _count = 0;
        _sumTicks = 0;
        PeakInFlight = 0;
    }
}
