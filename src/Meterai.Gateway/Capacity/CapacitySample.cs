namespace Meterai.Gateway.Capacity;

/// <summary>What one finished attempt says about a distributor's capacity.</summary>
internal enum CapacitySignal
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
/// <param name="Latency">Time from sending the order to its answer (or failure): best from the request written to the answer's headers read (<see cref="Between"/>).</param>
/// <param name="InFlight">Orders in flight at that distributor when this one was sent, itself included.</param>
/// <param name="Demand">
/// Others were waiting for this distributor's room when it was sent (orders ready behind it, or
/// applicants in the admission queue): the limit was what held them back, even if in flight was below it.
/// </param>
/// <param name="GatewayDelay">
/// Part of <paramref name="Latency"/> the gateway itself spent (its continuation waiting for a thread,
/// when the purchase path can tell); not the distributor's, so not congestion. Zero when unknown.
/// </param>
internal readonly record struct CapacitySample(
    long SentAt, TimeSpan Latency, CapacitySignal Signal, int InFlight, bool Demand = false, TimeSpan GatewayDelay = default)
{
    /// <summary>
    /// A sample timed from the moment the request was written to the moment the answer's headers
    /// were read: the distributor's time, without the ledger write before or the body read after.
    /// </summary>
    /// <param name="writtenAt">The injected clock's timestamp once the request was written.</param>
    /// <param name="headersReadAt">The injected clock's timestamp once the answer's headers were read.</param>
    public static CapacitySample Between(
        TimeProvider time, long writtenAt, long headersReadAt, CapacitySignal signal, int inFlight, bool demand = false, TimeSpan gatewayDelay = default) =>
        new(writtenAt, time.GetElapsedTime(writtenAt, Math.Max(writtenAt, headersReadAt)), signal, inFlight, demand, gatewayDelay);
}
