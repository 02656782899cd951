using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Capacity;

/// <summary>
/// The default (docs/capacity.md): Envoy's gradient, (baseline latency × (1 + tolerance)) / window
/// median latency clamped to [0.5, 1], the baseline being the lowest window median of the last
/// 10–20 s, shrinks the limit as soon as the distributor's latency rises past both the tolerance and
/// an absolute noise floor, and an overload signal cuts it by <see cref="CapacityOptions.OverloadBackoff"/>.
/// While there is demand and answers are healthy it grows by doubling until the first sign of
/// overload (slow start), then by one order per window, and a limit that proved too high is tried
/// again only every <see cref="CapacityOptions.ProbeInterval"/>, so the limiter sits just below the
/// collapse point instead of oscillating across it. A rise is believed only if a window at the lower
/// concurrency it steps down to does not show the same rise: a busy gateway (or host) slows every
/// answer alike, while a distributor's queue slows them more the more are in flight.
/// </summary>
internal sealed class GradientLimitAlgorithm(IOptions<CapacityOptions> options, TimeProvider time)
    : IConcurrencyLimitAlgorithm
{
    /// <summary>
    /// A rise still this large a share at the lower concurrency came from around the distributor: the
    /// gradient's step takes a real queue's latency back under the threshold, or most of the way.
    /// </summary>
    private const double UniformShare = 0.5;

    /// <summary>
    /// How long a rise shown to be uniform is excused: judged against the baseline plus that rise, the
    /// limit neither grows nor shrinks meanwhile, and the baseline stays the distributor's own. A busy
    /// spell then costs one window at a lower concurrency per this period; a real slowdown beyond it is seen at once.
    /// </summary>
    private static readonly TimeSpan ExcuseFor = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How many windows a rise not believed yet waits for its repeat: a queue rises again as soon as
    /// the limit is back (a few windows), while a stall of the gateway's own (a collection, code
    /// compiled on first use) comes back seconds later, hundreds of windows at a fast distributor, and
    /// two of them are not one queue.
    /// </summary>
    private const int SuspectWindows = 16;

    public string Name => ConcurrencyLimitAlgorithmNames.Gradient;

    public ConcurrencyLimiter Create(int ceiling) => new Limiter(ceiling, options.Value, time);

    /// <summary>A rise being tested: the concurrency it was seen at, its window's latency, and the limit before the step down.</summary>
    private readonly record struct Rise(int At, double Latency, double Limit);

    private sealed class Limiter(int ceiling, CapacityOptions settings, TimeProvider time)
        : ConcurrencyLimiter(ceiling, settings.InitialLimit)
    {
        private readonly RollingMinimum _minLatency = new(time, settings.MinLatencyWindow);
        private readonly MeasurementWindow _window = new();
        private double _limit = Math.Clamp(settings.InitialLimit, 1, ceiling);
        private bool _slowStart = true; // read lock-free by HeadedFor
        private bool _calibrated;
        private long _lastDecreaseAt = long.MinValue;

        // Read lock-free by CouldGrow; written under the limiter's lock.
        private int _tooHigh = int.MaxValue;
        private long _tooHighAt;

        // The highest concurrency a healthy window was measured at since it last proved too high, and
        // one of those whose latency then rose once: believed too high only if it rises again.
        private int _provenHealthy;
        private int _suspect;
        private long _suspectWindow;
        private long _windows;

        // Stepped down on a rise: the next window, at a lower concurrency, says whether it was ours.
        private Rise _testing;

        // A rise the lower concurrency showed too (the gateway's or the host's), in ticks, and when it was measured.
        private double _excuse;
        private long _excusedAt;

        // Envoy's minimum-latency recalculation: now and then one window at half the limit measures the
        // baseline afresh. Under constant load the rolling minimum would otherwise become the latency at
        // the limit, and the limit would creep up a tolerance at a time towards the collapse point.
        // Timestamps are the clock's own units (nanoseconds on Linux), not a TimeSpan's ticks: compared as elapsed time.
        private long _remeasuredAt = time.GetTimestamp();
        private TimeSpan _remeasureAfter = settings.MinLatencyWindow;
        private double _resumeAt;
        private long _answers;

        public override bool CouldGrow
        {
            get
            {
                var limit = Limit;
                var tooHigh = Volatile.Read(ref _tooHigh);
                return limit < Ceiling
                    && (limit < tooHigh - 1 || time.GetElapsedTime(Volatile.Read(ref _tooHighAt)) >= settings.ProbeInterval);
            }
        }

        public override int HeadedFor => Volatile.Read(ref _slowStart) ? Ceiling : Limit;

        protected override double Learn(in CapacitySample sample)
        {
            var now = time.GetTimestamp();
            if (sample.Signal == CapacitySignal.Overloaded)
            {
                if (_resumeAt > 0)
                {
                    // Refused even at half the limit: the cut applies to the limit being measured under.
                    _limit = _resumeAt;
                    _resumeAt = 0;
                }

                _testing = default;

                // One reaction per generation: orders sent before the last cut were sent under the old limit.
                if (sample.SentAt >= _lastDecreaseAt)
                {
                    Decrease(now, _limit * settings.OverloadBackoff, tooHigh: Math.Max(Limit, sample.InFlight));
                }

                return _limit;
            }

            // What the purchase path measured of the gateway's own time in this sample is not the distributor's.
            _answers++;
            var distributorTime = sample with { Latency = TimeSpan.FromTicks(Math.Max(0, sample.Latency.Ticks - sample.GatewayDelay.Ticks)) };
            if (!_window.Add(distributorTime, Math.Max(settings.WindowSamples, Limit)))
            {
                return _limit;
            }

            _windows++;

            // The baseline is the lowest window median lately, not the lowest single answer: on a
            // busy machine the fastest answer is an outlier, and comparing with it sees overload everywhere.
            var latency = _window.MedianTicks();
            var baseline = _minLatency.Add(TimeSpan.FromTicks((long)latency)).Ticks;

            // Rising means past the tolerance and past the noise floor: against a near-free distributor's
            // 0.1 ms, a millisecond of the gateway's own jitter is a 10× "rise" that says nothing.
            if (_resumeAt > 0)
            {
                return Remeasured(now, latency);
            }

            var threshold = Math.Max(baseline * (1 + settings.LatencyTolerance), baseline + settings.NoiseFloor.Ticks);
            var excused = _excuse > 0 && latency > threshold && time.GetElapsedTime(_excusedAt, now) < ExcuseFor;
            threshold += excused ? _excuse : 0;
            var peak = _window.PeakInFlight;

            // Not short-circuited: a demand noted during this window is used up by it.
            var demand = TakeDemand() | _window.Demand | peak >= Limit;

            if (_testing.At > 0 && Tested(now, latency, baseline, threshold, peak))
            {
                return _limit;
            }

            // The first window only measures the baseline: its own minimum is all there is to compare
            // with, and a process that just started answers its first orders slowly.
            if (latency > threshold)
            {
                if (_calibrated && _limit > settings.MinLimit)
                {
                    Rising(now, Math.Clamp(threshold / latency, 0.5, 1), peak, latency);
                }
                else if (_calibrated)
                {
                    // At the floor a rise cannot lower the limit, and a distributor is no slower at the concurrency
                    // it was measured at: what changed is around it (a busy gateway), so this is the baseline now.
                    _minLatency.Restart(TimeSpan.FromTicks((long)latency));
                }
            }
            else if (!excused)
            {
                _excuse = 0;
                _provenHealthy = Math.Max(_provenHealthy, peak);
                if (peak >= _suspect)
                {
                    _suspect = 0;
                }

                if (demand)
                {
                    Increase(now);
                }
            }

            _calibrated = true;
            _window.Open(now);
            if (time.GetElapsedTime(_remeasuredAt, now) >= _remeasureAfter && _testing.At == 0)
            {
                StartRemeasuring(now);
            }

            return _limit;
        }

        protected override double OnCeilingChanged(int ceiling)
        {
            _resumeAt = Math.Min(_resumeAt, ceiling);
            return _limit = Math.Min(_limit, ceiling);
        }

        private void StartRemeasuring(long now)
        {
            // Jittered by up to a quarter, from the answers counted, so distributors (and gateways) do
            // not all halve at once; deterministic for a given sequence of answers.
            var jitter = (_answers * 2_654_435_761L % 1_000) / 4_000.0;
            _remeasuredAt = now;
            _remeasureAfter = settings.MinLatencyWindow * (1 + jitter);
            // At the ceiling the baseline cannot push the limit anywhere: nothing to correct.
            var half = Math.Max(settings.MinLimit, Math.Floor(_limit / 2));
            if (half < Math.Floor(_limit) && _limit < Ceiling)
            {
                _resumeAt = _limit;
                _limit = half;
            }
        }

        /// <summary>The window at half the limit ended: its median is the baseline, and the limit goes back to where it was.</summary>
        private double Remeasured(long now, double latency)
        {
            _minLatency.Restart(TimeSpan.FromTicks((long)latency));
            _limit = Math.Min(_resumeAt, Ceiling);
            _resumeAt = 0;
            _window.Open(now);
            return _limit;
        }

        /// <summary>
        /// Latency rose at <paramref name="peak"/> in flight: the limit shrinks by the gradient at once, and
        /// the window at that lower concurrency then says whether the rise is believed (<see cref="Tested"/>).
        /// </summary>
        private void Rising(long now, double gradient, int peak, double latency)
        {
            // The concurrency that produced this latency is what was really in flight, not the limit.
            var target = Math.Max(gradient * Math.Min(_limit, peak), settings.MinLimit);
            if (Math.Floor(target) < peak)
            {
                _testing = new Rise(peak, latency, _limit);
                _limit = Math.Clamp(target, 1, _limit);
                _lastDecreaseAt = now;
                _window.Open(now);
                return;
            }

            // Nothing lower to measure at: believed as it is.
            Decrease(now, target, tooHigh: Believed(peak) ? peak : 0);
        }

        /// <summary>
        /// The window after a step down ended. The same rise at the lower concurrency is the gateway's or the
        /// host's, not this distributor's queue: the limit goes back and the rise is excused for a while (true).
        /// So is a rise this window refutes, healthy at as many in flight: a stall, not a queue (true).
        /// Otherwise the rise is believed, and this window is judged as any other (false).
        /// </summary>
        private bool Tested(long now, double latency, double baseline, double threshold, int peak)
        {
            var rise = _testing;
            _testing = default;
            if (peak < rise.At && latency > threshold && latency - baseline >= (rise.Latency - baseline) * UniformShare)
            {
                _excuse = latency - baseline;
                _excusedAt = now;
                return Back(rise, now);
            }

            // Orders taken before the step down went out during this window: its latency is measured at the
            // concurrency that rose (or more), and healthy there. A process still warming up did this.
            if (peak >= rise.At && latency <= threshold)
            {
                _provenHealthy = Math.Max(_provenHealthy, peak);
                return Back(rise, now);
            }

            if (Believed(rise.At))
            {
                Mark(now, rise.At);
            }

            return false;
        }

        /// <summary>The rise was not this distributor's queue: the limit goes back to where it was before the step down.</summary>
        private bool Back(Rise rise, long now)
        {
            _limit = Math.Min(rise.Limit, Ceiling);
            _window.Open(now);
            return true;
        }

        /// <summary>
        /// A rise where a window was healthy before, or any rise in slow start, is believed once it repeats
        /// within <see cref="SuspectWindows"/>: one slow window on a busy host, or in a process still warming
        /// up, must not hold the limit below the distributor's capacity for a probe interval.
        /// </summary>
        private bool Believed(int peak)
        {
            if ((peak > _provenHealthy && !_slowStart) || Suspecting())
            {
                return true;
            }

            _suspect = peak;
            _suspectWindow = _windows;
            return false;
        }

        private bool Suspecting() => _suspect > 0 && _windows - _suspectWindow <= SuspectWindows;

        private void Increase(long now)
        {
            if (Limit >= _tooHigh)
            {
                Volatile.Write(ref _tooHigh, int.MaxValue); // the probe at the old limit was healthy: capacity came back
            }

            // Towards a rise not yet believed where nothing was healthy before, one order at a time: a real
            // queue there is met again one order past its start, not at double.
            var careful = _suspect > _provenHealthy && Suspecting();
            var target = Math.Min(_slowStart && !careful ? _limit * 2 : _limit + 1, Ceiling);
            if (target >= _tooHigh)
            {
                var mayProbe = time.GetElapsedTime(_tooHighAt, now) >= settings.ProbeInterval;
                target = Math.Max(_limit, mayProbe ? _tooHigh : _tooHigh - 1);
            }

            _limit = target;
        }

        /// <summary>The limit shrinks to <paramref name="target"/>; a <paramref name="tooHigh"/> above 0 marks that concurrency too high.</summary>
        private void Decrease(long now, double target, int tooHigh)
        {
            _limit = Math.Clamp(target, 1, _limit);
            if (tooHigh > 0)
            {
                Mark(now, tooHigh);
            }

            _lastDecreaseAt = now;
            _window.Open(now);
        }

        /// <summary><paramref name="tooHigh"/> orders (and anything at or above the limit plus one) proved too many: tried again only after a probe interval.</summary>
        private void Mark(long now, int tooHigh)
        {
            Volatile.Write(ref _slowStart, false);
            var blocked = Math.Max(tooHigh, (int)Math.Floor(_limit) + 1);
            Volatile.Write(ref _tooHighAt, now);
            Volatile.Write(ref _tooHigh, blocked);
            _provenHealthy = Math.Min(_provenHealthy, blocked - 1);
            _suspect = 0;
        }
    }
}
