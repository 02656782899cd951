using System.Runtime.CompilerServices;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Purchases;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Health;

/// <summary>
/// Passive health from real purchase answers. YARP's built-in policy counts only transport
/// errors, but a distributor collapsing under load mostly answers 5xx or times out, and those
/// are the ones to stop sending money to; so is one whose answers are ambiguous in any other way
/// (403, 404, a redirect, a 200: see <see cref="AttemptClassifier"/>), since each leaves an applicant
/// waiting on a look-up. A distributor that refuses every order while its probe
/// says healthy (400, 401, 422, 503 to orders only) is one no order should be routed to either: at
/// <see cref="PassiveHealthOptions.RefusalsBeforeUnhealthy"/> refusals in a window with no sale it is
/// unhealthy too, and after each reactivation one more refusal is enough. A distributor that sells
/// at all in the window is never taken out this way, so an overloaded one's 503s in a surge are left
/// to admission and the concurrency limits.
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

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        if (!TryJudge(context, out var answer))
        {
            return;
        }

        var settings = options.Value;
        var window = _windows.GetValue(destination, static _ => new Window());
        var status = context.Response.StatusCode;
        var sold = answer.Sold;
        if (window.Record(answer.Failed, answer.Refused, sold, time.GetUtcNow(), settings))
        {
            // A distributor that keeps refusing is taken out again after every reactivation: one
            // line when it first goes out, none for each repeat, one when it sells again.
            if (window.SwapReportedOut(true) == false)
            {
                LogTakenOut(logger, destination.DestinationId, status, settings.ReactivationPeriod.TotalSeconds);
            }

            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, settings.ReactivationPeriod);
        }
        else if (sold && window.SwapReportedOut(false))
        {
            LogBackInRotation(logger, destination.DestinationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} taken out of rotation by passive health (last answer {HttpStatus}); tried again every {ReactivationSeconds} s until it sells")]
    private static partial void LogTakenOut(ILogger logger, string distributorId, int httpStatus, double reactivationSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Distributor {DistributorId} sells again after passive health took it out")]
    private static partial void LogBackInRotation(ILogger logger, string distributorId);

    /// <summary>False when the answer says nothing about the distributor's health (the applicant hung up, or it is overloaded).</summary>
    internal static bool TryClassify(HttpContext context, out bool failed)
    {
        var counted = TryJudge(context, out var answer);
        failed = answer.Failed;
        return counted;
    }

    /// <summary>
    /// Failed: a transport error, a 5xx, or any answer that leaves the order ambiguous (a 403, a
    /// redirect, a 200, an unreadable body...), by the purchase path's own rule
    /// (<see cref="AttemptClassifier"/>): each such answer leaves an applicant waiting on a look-up.
    /// </summary>
    private static bool TryJudge(HttpContext context, out Verdict answer)
    {
        var errorFeature = context.Features.Get<IForwarderErrorFeature>();
        var error = errorFeature?.Error ?? ForwarderError.None;
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient)
        {
            answer = default;
            return false;
        }

        var status = error == ForwarderError.None ? context.Response.StatusCode : (int?)null;
        var attempt = context.Features.Get<PurchaseAttemptFeature>();
        var inFlightAtSend = attempt?.InFlightAtSend ?? 1;
        if (CapacitySignals.IsOverload(status, error, inFlightAtSend))
        {
            answer = default;
            return false;
        }

        var outcome = attempt is not null && (attempt.Status is not null || error != ForwarderError.None)
            ? AttemptClassifier.Classify(attempt, errorFeature).Outcome
            : error == ForwarderError.None ? AttemptClassifier.OfStatus(context.Response.StatusCode) : AttemptOutcome.Ambiguous;
        answer = new Verdict(
            Failed: error != ForwarderError.None || context.Response.StatusCode >= StatusCodes.Status500InternalServerError || outcome == AttemptOutcome.Ambiguous,
            Refused: error == ForwarderError.None && outcome == AttemptOutcome.Refused,
            Sold: error == ForwarderError.None && outcome is AttemptOutcome.Issued or AttemptOutcome.Pending);
        return true;
    }

    /// <summary>What one answer counts as in the window.</summary>
    private readonly record struct Verdict(bool Failed, bool Refused, bool Sold);

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
