namespace Meterai.Gateway.Capacity;

/// <summary>What one finished attempt says about a distributor's capacity.</summary>
public enum CapacitySignal
{
    /// <summary>Says nothing about capacity: the applicant hung up, or the answer was a failure of another kind.</summary>
    None,

    /// <summary>A normal answer (sold, sold out, a 4xx about the order): its latency is a capacity measurement.</summary>
    Answered,

    /// <summary>The distributor is past its capacity: 429, or a 503 or timeout while other orders of ours were in flight there.</summary>
    Overloaded,
}

/// <summary>One finished attempt as the limiter sees it.</summary>
/// <param name="SentAt">The injected clock's timestamp when the order left; samples sent before the last decrease are not counted again.</param>
/// <param name="Latency">Time from sending the order to its answer (or failure).</param>
/// <param name="InFlight">Orders in flight at that distributor when this one was sent, itself included.</param>
public readonly record struct CapacitySample(long SentAt, TimeSpan Latency, CapacitySignal Signal, int InFlight);
