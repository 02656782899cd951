namespace Meterai.Gateway.Capacity;

/// <summary>
/// Answers to orders sent since the window opened: the most orders that were in flight, and the
/// median latency of the orders sent at that concurrency, the one being measured (right after the
/// limit was raised, the first orders still go out at the old concurrency). The median, not the mean: a
/// few slow answers (a cold connection, a pause in either process) are noise, while queueing at a
/// distributor past its capacity slows every answer. Not thread-safe: the owning limiter's lock guards it.
/// </summary>
internal sealed class MeasurementWindow
{
    private long _openedAt = long.MinValue;
    private readonly List<(int InFlight, long Ticks)> _samples = [];
    private readonly List<long> _atPeak = [];

    public int PeakInFlight { get; private set; }

    /// <summary>Some order counted here was sent while others waited for the distributor's room (<see cref="CapacitySample.Demand"/>).</summary>
    public bool Demand { get; private set; }

    public double MedianTicks()
    {
        _atPeak.Clear();
        foreach (var (inFlight, ticks) in _samples)
        {
            if (inFlight >= PeakInFlight)
            {
                _atPeak.Add(ticks);
            }
        }

        if (_atPeak.Count == 0)
        {
            return 0;
        }

        _atPeak.Sort();
        var middle = _atPeak.Count / 2;
        return _atPeak.Count % 2 == 1 ? _atPeak[middle] : (_atPeak[middle - 1] + _atPeak[middle]) / 2.0;
    }

    /// <summary>Counts the sample if it was sent since the window opened; true once the window holds <paramref name="needed"/>.</summary>
    public bool Add(in CapacitySample sample, int needed)
    {
        // Orders sent before the last decision measure the old limit, not the current one.
        if (sample.SentAt < _openedAt)
        {
            return false;
        }

        _samples.Add((sample.InFlight, sample.Latency.Ticks));
        PeakInFlight = Math.Max(PeakInFlight, sample.InFlight);
        Demand |= sample.Demand;
        return _samples.Count >= needed;
    }

    public void Open(long now)
    {
        _openedAt = now;
        _samples.Clear();
        PeakInFlight = 0;
        Demand = false;
    }
}
