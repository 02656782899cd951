using Meterai.Gateway.Purchases;
using Yarp.ReverseProxy.Forwarder;

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
    public static bool IsOverload(int? status, ForwarderError error, int inFlightAtSend) => status switch
    {
        StatusCodes.Status429TooManyRequests => true,
        StatusCodes.Status503ServiceUnavailable => inFlightAtSend > 1,
        null => error == ForwarderError.RequestTimedOut && inFlightAtSend > 1,
        _ => false,
    };

    public static CapacitySample Sample(PurchaseAttemptFeature attempt, IForwarderErrorFeature? errorFeature, long sentAt, TimeSpan latency)
    {
        var error = errorFeature?.Error ?? ForwarderError.None;
        return new CapacitySample(sentAt, latency, Classify(attempt, error), attempt.InFlightAtSend);
    }

    private static CapacitySignal Classify(PurchaseAttemptFeature attempt, ForwarderError error)
    {
        if (IsOverload(attempt.Status, error, attempt.InFlightAtSend))
        {
            return CapacitySignal.Overloaded;
        }

        // Failures of other kinds (5xx, refused connections, a dropped answer) are passive health's business;
        // their latency says nothing about how many orders the distributor can serve.
        return attempt.Status is { } status && status < StatusCodes.Status500InternalServerError && !attempt.BodyFailed
            ? CapacitySignal.Answered
            : CapacitySignal.None;
    }
}
