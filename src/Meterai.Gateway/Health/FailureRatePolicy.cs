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
/// are the ones to stop sending money to; so is one whose answers are ambiguous in any other way
/// (403, 404, a redirect, a 200, an unreadable or invalid order: see Distributors/AttemptOutcome.cs),
/// since each leaves an applicant waiting on a look-up. A distributor that refuses every order while
/// its probe says healthy (400, 401, 422, 503 to orders only) is one no order should be routed to
/// either: at <see cref="PassiveHealthOptions.RefusalsBeforeUnhealthy"/> refusals in a window with no
/// sale it is unhealthy too, and after each reactivation one more refusal is enough. A distributor
/// that sells at all in the window is never taken out this way, so an overloaded one's 503s in a
/// surge are left to admission and the concurrency limits.
/// Overload (429, or a 503 or timeout while other orders were in flight there) is not counted at
/// all: it lowers the distributor's learned concurrency limit instead (docs/capacity.md).
/// </summary>
internal sealed partial class FailureRatePolicy(
    IDestinationHealthUpdater healthUpdater,
    IOptions<PassiveHealthOptions> options,
    TimeProvider time,
    ILogger<FailureRatePolicy> logger)
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
    /// <param name="ambiguous">
    /// The purchase's rule found the answer ambiguous (AttemptClassifier): any status the spec does
    /// not list, an unreadable answer, or a 201/202 that is not a valid order for the request.
    /// </param>
    public void Record(ClusterState cluster, DestinationState destination, in AttemptResult result, int inFlightAtSend, bool ambiguous)
    {
        if (!TryJudge(result, inFlightAtSend, ambiguous, out var answer))
        {
            return;
        }

        var settings = options.Value;
        var window = _windows.GetValue(destination, static _ => new Window());
        if (window.Record(answer.Failed, answer.Refused, answer.Sold, time.GetUtcNow(), settings))
        {
            // A distributor that keeps refusing is taken out again after every reactivation: one
            // line when it first goes out, none for each repeat, one when it sells again.
            if (window.SwapReportedOut(true) == false)
            {
                LogTakenOut(logger, destination.DestinationId, result.Status ?? 0, settings.ReactivationPeriod.TotalSeconds);
            }

            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, settings.ReactivationPeriod);
        }
        else if (answer.Sold && window.SwapReportedOut(false))
        {
            LogBackInRotation(logger, destination.DestinationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} taken out of rotation by passive health (last answer {HttpStatus}); tried again every {ReactivationSeconds} s until it sells")]
    private static partial void LogTakenOut(ILogger logger, string distributorId, int httpStatus, double reactivationSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Distributor {DistributorId} sells again after passive health took it out")]
    private static partial void LogBackInRotation(ILogger logger, string distributorId);

    /// <summary>
    /// What one answer counts as; false when it says nothing about the distributor's health: it is
    /// overloaded, which its concurrency limit answers. Failed: no answer at all (never connected,
    /// timed out, dropped), a 5xx, or any ambiguous answer. Refused: a listed refusal (400, 401, 422,
    /// 503); not 409, which is stock (probes and routing track it). Sold: a valid 201/202 only.
    /// </summary>
    internal static bool TryJudge(in AttemptResult result, int inFlightAtSend, bool ambiguous, out Verdict answer)
    {
        if (CapacitySignals.IsOverload(result.Status, result.Failure == AttemptFailure.TimedOut, inFlightAtSend))
        {
            answer = default;
            return false;
        }

        answer = new Verdict(
            Failed: ambiguous || result.Status is not { } status || status >= StatusCodes.Status500InternalServerError,
            Refused: !ambiguous && result.Status is StatusCodes.Status400BadRequest or StatusCodes.Status401Unauthorized
                or StatusCodes.Status422UnprocessableEntity or StatusCodes.Status503ServiceUnavailable,
            Sold: !ambiguous && result.Status is StatusCodes.Status201Created or StatusCodes.Status202Accepted);
        return true;
    }

    /// <summary>What one answer counts as in the window.</summary>
    internal readonly record struct Verdict(bool Failed, bool Refused, bool Sold);

    private sealed class Window
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _start;
        private int _total;
        private int _failures;
        private int _refusals;
        private int _sales;
        private bool _reportedOut;

        /// <summary>Sets whether the distributor's passive removal has been logged; returns what it was.</summary>
        public bool SwapReportedOut(bool value)
        {
            lock (_lock)
            {
                var was = _reportedOut;
                _reportedOut = value;
                return was;
            }
        }

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
