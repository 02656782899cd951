using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Tests.Capacity;

/// <summary>
/// A discrete-event model of one distributor behind one limiter, on a fake clock: as many orders as
/// the limit allows are always in flight (a closed-loop surge), each served in the service time
/// within capacity, slower with the square past it, and answered 503 at once past twice the
/// capacity (the simulator's overload model). Deterministic: the same run gives the same counts.
/// </summary>
internal sealed class CapacitySimulation(ConcurrencyLimiter limiter, FakeTimeProvider time, TimeSpan serviceTime)
{
    private readonly PriorityQueue<(long SentAt, TimeSpan Latency, TimeSpan Gateway, int InFlight, bool Refused), long> _inFlight = new();
    private readonly Random _random = new(27);

    /// <summary>The distributor's real capacity; may change mid-run.</summary>
    public int Capacity { get; set; } = 4;

    /// <summary>
    /// Time the gateway itself adds to each answer it measures (a busy thread pool, a starved CPU),
    /// drawn from a seeded generator: the distributor does not see it, the measured latency does.
    /// </summary>
    public Func<Random, TimeSpan>? GatewayJitter { get; init; }

    /// <summary>The gateway can tell its own part of each latency (<see cref="CapacitySample.GatewayDelay"/>).</summary>
    public bool GatewayDelayKnown { get; init; }

    public int Sent { get; private set; }

    public int Sold { get; private set; }

    public int PastCapacity { get; private set; }

    public int MaxLimit { get; private set; }

    /// <summary>Runs for <paramref name="duration"/> of simulated time; returns orders sold in it.</summary>
    public int Run(TimeSpan duration)
    {
        var soldBefore = Sold;
        var end = time.GetTimestamp() + duration.Ticks;
        while (time.GetTimestamp() < end)
        {
            while (_inFlight.Count < limiter.Limit)
            {
                Send();
            }

            var (sentAt, latency, gateway, inFlight, refused) = _inFlight.Dequeue();
            var due = sentAt + latency.Ticks;
            var now = time.GetTimestamp();
            if (due > now)
            {
                time.Advance(TimeSpan.FromTicks(due - now));
            }

            var signal = refused ? (inFlight > 1 ? CapacitySignal.Overloaded : CapacitySignal.None) : CapacitySignal.Answered;
            limiter.Record(new CapacitySample(sentAt, latency, signal, inFlight, GatewayDelay: GatewayDelayKnown ? gateway : TimeSpan.Zero));
            Sold += refused ? 0 : 1;
            MaxLimit = Math.Max(MaxLimit, limiter.Limit);
        }

        return Sold - soldBefore;
    }

    /// <summary>Runs in steps of <paramref name="step"/> until the limit reaches <paramref name="limit"/> or <paramref name="within"/> has passed; returns the simulated time it took, or null.</summary>
    public TimeSpan? RunUntilLimit(int limit, TimeSpan within, TimeSpan step)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < within; elapsed += step)
        {
            if (limiter.Limit >= limit)
            {
                return elapsed;
            }

            Run(step);
        }

        return limiter.Limit >= limit ? within : null;
    }

    /// <summary>Orders per second the distributor can really serve.</summary>
    public double RealThroughput => Capacity / serviceTime.TotalSeconds;

    private void Send()
    {
        var concurrency = _inFlight.Count + 1;
        Sent++;
        if (concurrency > Capacity)
        {
            PastCapacity++;
        }

        var refused = concurrency > 2 * Capacity;
        var served = refused
            ? TimeSpan.FromMilliseconds(1)
            : serviceTime * Math.Max(1, Math.Pow((double)concurrency / Capacity, 2));
        var gateway = GatewayJitter?.Invoke(_random) ?? TimeSpan.Zero;
        var sentAt = time.GetTimestamp();
        _inFlight.Enqueue((sentAt, served + gateway, gateway, concurrency, refused), sentAt + (served + gateway).Ticks);
    }
}
