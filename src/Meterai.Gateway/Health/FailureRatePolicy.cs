using System.Runtime.CompilerServices;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Distributors;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Health;

/// <summary>
/// Passive health from real purchase answers. YARP's built-in policy counts only transport
/// errors, but a distributor collapsing under load mostly answers 5xx or times out, and those
/// are the ones to stop sending money to. A distributor that refuses every order while its probe
/// says healthy (401, 403, 422, 503 to orders only) is one no order should be routed to either: at
/// <see cref="PassiveHealthOptions.RefusalsBeforeUnhealthy"/> refusals in a window with no sale it is
/// unhealthy too, and after each reactivation one more refusal is enough. A distributor that sells
/// at all in the window is never taken out this way, so an overloaded one's 503s in a surge are left
/// to admission and the concurrency limits.
/// Overload (429, or a 503 or timeout while other orders were in flight there) is not counted at
/// all: it lowers the distributor's learned concurrency limit instead (docs/capacity.md).
/// </summary>
internal sealed class FailureRatePolicy(IDestinationHealthUpdater healthUpdater, IOptions<PassiveHealthOptions> options, TimeProvider time)
    : IPassiveHealthCheckPolicy
{
    private readonly ConditionalWeakTable<DestinationState, Window> _windows = [];

    public string Name => PassiveHealthPolicyNames.FailureRate;

    /// <summary>YARP's passive health middleware is on no route: the purchase calls <see cref="Record"/> with each attempt's result instead.</summary>
    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
    }

    /// <summary>Counts one attempt's answer against its distributor, and marks it unhealthy when its window says so.</summary>
    /// <param name="inFlightAtSend">Orders in flight at the distributor when this one was sent, itself included: tells overload from failure.</param>
    public void Record(ClusterState cluster, DestinationState destination, in AttemptResult result, int inFlightAtSend)
    {
        if (!TryClassify(result, inFlightAtSend, out var failed))
        {
            return;
        }

        var settings = options.Value;
        var window = _windows.GetValue(destination, static _ => new Window());
        var status = result.Status ?? 0;
        if (window.Record(failed, IsRefusal(status), status is >= 200 and < 300, time.GetUtcNow(), settings))
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, settings.ReactivationPeriod);
        }
    }

    /// <summary>False when the answer says nothing about the distributor's health: it is overloaded, which its concurrency limit answers.</summary>
    internal static bool TryClassify(in AttemptResult result, int inFlightAtSend, out bool failed)
    {
        if (CapacitySignals.IsOverload(result.Status, result.Failure == AttemptFailure.TimedOut, inFlightAtSend))
        {
            failed = false;
            return false;
        }

        // No status at all (never connected, timed out, dropped) or a 5xx. A body that broke off is judged by its status.
        failed = result.Status is not { } status || status >= StatusCodes.Status500InternalServerError;
        return true;
    }

    /// <summary>
    /// Refused without charging (distributor spec: 400, 401, 422 rejected; 503). Not 409, which is
    /// stock (probes and routing track it), nor 429, which is load (admission and slots answer it).
    /// </summary>
    internal static bool IsRefusal(int status) =>
        status is >= StatusCodes.Status400BadRequest and < StatusCodes.Status500InternalServerError
            and not StatusCodes.Status409Conflict and not StatusCodes.Status429TooManyRequests
            or StatusCodes.Status503ServiceUnavailable;

    private sealed class Window
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _start;
        private int _total;
        private int _failures;
        private int _refusals;
        private int _sales;

        /// <summary>Counts one answer; true when the window's failure rate just crossed the threshold, or its refusals with no sale did.</summary>
        public bool Record(bool failed, bool refused, bool sold, DateTimeOffset now, PassiveHealthOptions settings)
        {
            lock (_lock)
            {
                if (now - _start >= settings.Window)
                {
                    _start = now;
                    _total = 0;
                    _failures = 0;
                    _refusals = 0;
                    _sales = 0;
                }

                // Not reset on marking, on purpose: after reactivation, a distributor that still refuses is sent back at once.
                _refusals += refused ? 1 : 0;
                _sales += sold ? 1 : 0;
                if (_sales == 0 && _refusals >= settings.RefusalsBeforeUnhealthy)
                {
                    return true;
                }

                _total++;
                if (failed)
                {
                    _failures++;
                }

                if (_total >= settings.MinimumRequests && _failures >= settings.FailureRateThreshold * _total)
                {
                    // Start afresh so the distributor is judged on new answers after reactivation.
                    _total = 0;
                    _failures = 0;
                    return true;
                }

                return false;
            }
        }
    }
}
