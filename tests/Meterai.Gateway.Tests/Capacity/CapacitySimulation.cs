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
    private readonly PriorityQueue<(long SentAt, TimeSpan Latency, int InFlight, bool Refused), long> _inFlight = new();

    /// <summary>The distributor's real capacity; may change mid-run.</summary>
    public int Capacity { get; set; } = 4;

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

            var (sentAt, latency, inFlight, refused) = _inFlight.Dequeue();
            var due = sentAt + latency.Ticks;
            var now = time.GetTimestamp();
            if (due > now)
            {
                time.Advance(TimeSpan.FromTicks(due - now));
            }

            var signal = refused ? (inFlight > 1 ? CapacitySignal.Overloaded : CapacitySignal.None) : CapacitySignal.Answered;
            limiter.Record(new CapacitySample(sentAt, latency, signal, inFlight));
            Sold += refused ? 0 : 1;
            MaxLimit = Math.Max(MaxLimit, limiter.Limit);
        }

        return Sold - soldBefore;
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
        var latency = refused
            ? TimeSpan.FromMilliseconds(1)
            : serviceTime * Math.Max(1, Math.Pow((double)concurrency / Capacity, 2));
        var sentAt = time.GetTimestamp();
        _inFlight.Enqueue((sentAt, latency, concurrency, refused), sentAt + latency.Ticks);
    }
}
