using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Capacity;

/// <summary>
/// The default (docs/capacity.md): Envoy's gradient, (baseline latency × (1 + tolerance)) / window
/// median latency clamped to [0.5, 1], the baseline being the lowest window median of the last 10–20 s, shrinks the limit as soon as latency rises, and an overload signal
/// cuts it by <see cref="CapacityOptions.OverloadBackoff"/>. It grows by doubling until the first
/// sign of overload (slow start), then by one order per healthy window, and a limit that once
/// proved too high is tried again only every <see cref="CapacityOptions.ProbeInterval"/>, so the
/// limiter sits just below the collapse point instead of oscillating across it.
/// </summary>
internal sealed class GradientLimitAlgorithm(IOptions<CapacityOptions> options, TimeProvider time) : IConcurrencyLimitAlgorithm
{
    public string Name => ConcurrencyLimitAlgorithmNames.Gradient;

    public ConcurrencyLimiter Create(int ceiling) => new Limiter(ceiling, options.Value, time);

    private sealed class Limiter(int ceiling, CapacityOptions settings, TimeProvider time) : ConcurrencyLimiter(ceiling, settings.InitialLimit)
    {
        private readonly RollingMinimum _minLatency = new(time, settings.MinLatencyWindow);
        private readonly MeasurementWindow _window = new();
        private double _limit = Math.Clamp(settings.InitialLimit, 1, ceiling);
        private bool _slowStart = true;
        private bool _calibrated;
        private long _lastDecreaseAt = long.MinValue;
        private int _tooHigh = int.MaxValue;
        private long _tooHighAt;

        protected override double Learn(in CapacitySample sample)
        {
            var now = time.GetTimestamp();
            if (sample.Signal == CapacitySignal.Overloaded)
            {
                // One reaction per generation: orders sent before the last cut were sent under the old limit.
                if (sample.SentAt >= _lastDecreaseAt)
                {
                    Decrease(now, _limit * settings.OverloadBackoff, tooHigh: Math.Max(Limit, sample.InFlight));
                }

                return _limit;
            }

            if (!_window.Add(sample, Math.Max(settings.WindowSamples, Limit)))
            {
                return _limit;
            }

            // The baseline is the lowest window median lately, not the lowest single answer: on a
            // busy machine the fastest answer is an outlier, and comparing with it sees overload everywhere.
            var latency = _window.MedianTicks();
            var baseline = _minLatency.Add(TimeSpan.FromTicks((long)latency));
            var threshold = baseline.Ticks * (1 + settings.LatencyTolerance);
            var peak = _window.PeakInFlight;

            // The first window only measures the baseline: its own minimum is all there is to compare
            // with, and a process that just started answers its first orders slowly.
            if (latency > threshold && _calibrated && _limit > settings.MinLimit)
            {
                // The concurrency that produced this latency is what was really in flight, not the limit.
                var gradient = Math.Clamp(threshold / latency, 0.5, 1);
                Decrease(now, Math.Max(gradient * Math.Min(_limit, peak), settings.MinLimit), tooHigh: peak);
            }
            else if (peak >= Limit && latency <= threshold)
            {
                Increase(now);
            }

            _calibrated = true;
            _window.Open(now);
            return _limit;
        }

        protected override double OnCeilingChanged(int ceiling) => _limit = Math.Min(_limit, ceiling);

        private void Increase(long now)
        {
            if (Limit >= _tooHigh)
            {
                _tooHigh = int.MaxValue; // the probe at the old limit was healthy: capacity came back
            }

            var target = Math.Min(_slowStart ? _limit * 2 : _limit + 1, Ceiling);
            if (target >= _tooHigh)
            {
                var mayProbe = time.GetElapsedTime(_tooHighAt, now) >= settings.ProbeInterval;
                target = Math.Max(_limit, mayProbe ? _tooHigh : _tooHigh - 1);
            }

            _limit = target;
        }

        private void Decrease(long now, double target, int tooHigh)
        {
            _limit = Math.Clamp(target, 1, _limit);
            _slowStart = false;
            _tooHigh = Math.Max(tooHigh, (int)Math.Floor(_limit) + 1);
            _tooHighAt = now;
            _lastDecreaseAt = now;
            _window.Open(now);
        }
    }
}
