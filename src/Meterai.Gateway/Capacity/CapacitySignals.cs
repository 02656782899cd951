namespace Meterai.Gateway.Capacity;

/// <summary>
/// Which answers mean "past capacity". The one rule shared by the limiter and passive health:
/// an overloaded distributor gets a lower limit, not an unhealthy mark (docs/capacity.md).
/// </summary>
internal static class CapacitySignals
{
    /// <summary>
    /// 429 always; a 503 or a timeout only for an order sent while other orders of ours were in flight
    /// there. The same answer to a lone order cannot be our load: it is a failure, for passive health.
    /// </summary>
    /// <param name="status">The distributor's status code; null when no answer came.</param>
    /// <param name="timedOut">No answer came within the attempt's timeout.</param>
    public static bool IsOverload(int? status, bool timedOut, int inFlightAtSend) => status switch
    {
        StatusCodes.Status429TooManyRequests => true,
        StatusCodes.Status503ServiceUnavailable => inFlightAtSend > 1,
        null => timedOut && inFlightAtSend > 1,
        _ => false,
    };

    /// <summary>
    /// The sample of one attempt timed from the request written to the answer's headers read
    /// (<see cref="CapacitySample.Between"/>), so the ledger write and the body read are not the distributor's.
    /// </summary>
    /// <param name="status">The distributor's status code; null when no answer came.</param>
    /// <param name="answerFailed">The answer's body broke off, or was not one.</param>
    /// <param name="timedOut">No answer came within the attempt's timeout.</param>
    /// <param name="demand">Others were waiting for this distributor's room when the order left (<see cref="CapacitySample.Demand"/>).</param>
    /// <param name="gatewayDelay">What of that time the gateway spent itself, when known (<see cref="CapacitySample.GatewayDelay"/>).</param>
    public static CapacitySample Sample(
        int? status, bool answerFailed, bool timedOut, int inFlightAtSend,
        TimeProvider time, long writtenAt, long headersReadAt, bool demand = false, TimeSpan gatewayDelay = default) =>
        CapacitySample.Between(time, writtenAt, headersReadAt, Classify(status, answerFailed, timedOut, inFlightAtSend), inFlightAtSend, demand, gatewayDelay);

    private static CapacitySignal Classify(int? status, bool answerFailed, bool timedOut, int inFlightAtSend)
    {
        if (IsOverload(status, timedOut, inFlightAtSend))
        {
            return CapacitySignal.Overloaded;
        }

        // Failures of other kinds (5xx, refused connections, a dropped answer) are passive health's business;
        // their latency says nothing about how many orders the distributor can serve.
        return status is { } answered && answered < StatusCodes.Status500InternalServerError && !answerFailed
            ? CapacitySignal.Answered
            : CapacitySignal.None;
    }
}
