using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Health;

/// <summary>
/// Passive health from real purchase answers. YARP's built-in policy counts only transport
/// errors, but a distributor collapsing under load mostly answers 5xx or times out, and those
/// are the ones to stop sending money to. A distributor that refuses every order while its probe
/// says healthy (401, 403, 422, 503 to orders only) is one no order should be routed to either: after
/// <see cref="PassiveHealthOptions.RefusalsBeforeUnhealthy"/> refusals in a row it is unhealthy too,
/// and after each reactivation one more refusal is enough, until it sells again.
/// </summary>
internal sealed class FailureRatePolicy(IDestinationHealthUpdater healthUpdater, IOptions<PassiveHealthOptions> options, TimeProvider time)
    : IPassiveHealthCheckPolicy
{
    private readonly ConditionalWeakTable<DestinationState, Window> _windows = [];

    public string Name => PassiveHealthPolicyNames.FailureRate;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        if (!TryClassify(context, out var failed))
        {
            return;
        }

        var settings = options.Value;
        var window = _windows.GetValue(destination, static _ => new Window());
        if (window.Record(failed, IsRefusal(context.Response.StatusCode), time.GetUtcNow(), settings))
        {
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, settings.ReactivationPeriod);
        }
    }

    /// <summary>False when the answer says nothing about the distributor (the applicant hung up).</summary>
    internal static bool TryClassify(HttpContext context, out bool failed)
    {
        var error = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient)
        {
            failed = false;
            return false;
        }

        failed = error != ForwarderError.None || context.Response.StatusCode >= StatusCodes.Status500InternalServerError;
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
        private int _refusalsInARow;

        /// <summary>Counts one answer; true when the window's failure rate just crossed the threshold, or the refusals in a row did.</summary>
        public bool Record(bool failed, bool refused, DateTimeOffset now, PassiveHealthOptions settings)
        {
            lock (_lock)
            {
                // Kept across reactivations on purpose: a distributor that still refuses is sent back at once.
                _refusalsInARow = refused ? _refusalsInARow + 1 : 0;
                if (_refusalsInARow >= settings.RefusalsBeforeUnhealthy)
                {
                    return true;
                }

                if (now - _start >= settings.Window)
                {
                    _start = now;
                    _total = 0;
                    _failures = 0;
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
