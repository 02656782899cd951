using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Capacity;

/// <summary>
/// The default (docs/capacity.md): Envoy's gradient, (minimum latency × (1 + tolerance)) / window
/// latency clamped to [0.5, 1], shrinks the limit as soon as latency rises, and an overload signal
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

            var minimum = _minLatency.Add(sample.Latency);
            if (!_window.Add(sample, Math.Max(settings.WindowSamples, Limit)))
            {
                return _limit;
            }

            var threshold = minimum.Ticks * (1 + settings.LatencyTolerance);
            var latency = _window.MeanTicks;
            var peak = _window.PeakInFlight;
            if (latency > threshold)
            {
                // The concurrency that produced this latency is what was really in flight, not the limit.
                var gradient = Math.Clamp(threshold / latency, 0.5, 1);
                Decrease(now, gradient * Math.Min(_limit, peak), tooHigh: peak);
            }
            else if (peak >= Limit)
            {
                Increase(now);
            }

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
