using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Capacity;

/// <summary>
/// Netflix concurrency-limits' AIMD: one order more per window of healthy answers at the limit (or with applicants waiting),
/// <see cref="CapacityOptions.OverloadBackoff"/> of it on an overload signal. It sees only refusals
/// and timeouts, not latency, so it keeps climbing until the distributor collapses (docs/capacity.md).
/// </summary>
internal sealed class AimdLimitAlgorithm(IOptions<CapacityOptions> options, TimeProvider time) : IConcurrencyLimitAlgorithm
{
    public string Name => ConcurrencyLimitAlgorithmNames.Aimd;

    public ConcurrencyLimiter Create(int ceiling) => new Limiter(ceiling, options.Value, time);

    private sealed class Limiter(int ceiling, CapacityOptions settings, TimeProvider time) : ConcurrencyLimiter(ceiling, settings.InitialLimit)
    {
        private readonly MeasurementWindow _window = new();
        private double _limit = Math.Clamp(settings.InitialLimit, 1, ceiling);
        private long _lastDecreaseAt = long.MinValue;

        protected override double Learn(in CapacitySample sample)
        {
            var now = time.GetTimestamp();
            if (sample.Signal == CapacitySignal.Overloaded)
            {
                if (sample.SentAt >= _lastDecreaseAt)
                {
                    _limit = Math.Max(1, _limit * settings.OverloadBackoff);
                    _lastDecreaseAt = now;
                    _window.Open(now);
                }

                return _limit;
            }

            if (_window.Add(sample, Math.Max(settings.WindowSamples, Limit)))
            {
                // Not short-circuited: a demand noted during this window is used up by it.
                if (TakeDemand() | _window.Demand | _window.PeakInFlight >= Limit)
                {
                    _limit = Math.Min(_limit + 1, Ceiling);
                }

                _window.Open(now);
            }

            return _limit;
        }

        protected override double OnCeilingChanged(int ceiling) => _limit = Math.Min(_limit, ceiling);
    }
}
