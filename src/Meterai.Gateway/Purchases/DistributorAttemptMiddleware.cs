using Microsoft.AspNetCore.Http.Features;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// Sits in YARP's proxy pipeline between load balancing and forwarding. It takes a slot at the
/// distributor the load balancer picked, so no distributor ever has more orders in flight than
/// its learned concurrency limit, writes the attempt to the ledger before the order leaves, and
/// feeds the answer's latency and outcome back to that limit (Capacity/).
/// </summary>
internal sealed class DistributorAttemptMiddleware(
    RequestDelegate next, DistributorFleet fleet, PurchaseLedger ledger, AdmissionControl admission, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var attempt = context.Features.GetRequiredFeature<PurchaseAttemptFeature>();
        var destinations = context.GetReverseProxyFeature().AvailableDestinations;
        if (destinations.Count == 0)
        {
            attempt.NoRoom = true;
            return;
        }

        // The load balancer's pick can race with other requests for the last slot; the slot is the
        // truth. Losing the race leaves no distributor on the attempt, and the orchestrator picks again.
        // A slot handed over in the queue is already this purchase's.
        DistributorState? distributor;
        if (attempt.HandedSlot is { } handed && handed.Id == destinations[0].DestinationId)
        {
            distributor = handed;
            attempt.HandedSlot = null;
        }
        else if (!fleet.TryGet(destinations[0].DestinationId, out distributor) || !distributor.TryAcquireSlot())
        {
            return;
        }

        try
        {
            // Not cancellable by the applicant: once written, the ledger knows where money may go.
            // A ledger error here propagates to the orchestrator before anything was sent. The
            // first attempt may already be written, with the claim.
            if (attempt.PreRecorded != attempt.Number
                && !await ledger.StartAttemptAsync(attempt.Try, attempt.Number, distributor.Id, time.GetUtcNow(), CancellationToken.None))
            {
                // Reconciliation or another gateway has the row now: this try must not send an order.
                attempt.Fenced = true;
                return;
            }

            attempt.Distributor = distributor;

            // Recorded while the distributor may still be full: the order waits here, ready, and goes
            // the moment one ahead of it finishes. No turn in time: it was never sent, the orchestrator moves on.
            if (!await distributor.WaitToSendAsync(ReadyWait(distributor), time))
            {
                attempt.Withdrawn = true;
                return;
            }

            try
            {
                PurchaseTransforms.UseCanonicalBody(context, attempt);
                attempt.InFlightAtSend = distributor.InFlight;
                var sent = time.GetTimestamp();
                await next(context);
                var latency = time.GetElapsedTime(sent);
                admission.RecordServiceTime(latency);
                distributor.RecordOrderAnswer(attempt.Status);
                distributor.RecordCapacity(CapacitySignals.Sample(attempt.Status, attempt.BodyFailed, attempt.InFlightAtSend, context.Features.Get<IForwarderErrorFeature>(), sent, latency));
            }
            finally
            {
                distributor.FinishSend();
            }
        }
        finally
        {
            // A distributor that just sold, still within its slots, passes its slot straight on to the
            // longest waiter; after a refusal, or past a limit that has since shrunk, it is freed.
            var selling = attempt.Status is StatusCodes.Status201Created or StatusCodes.Status202Accepted;
            if (!(selling && distributor.Taken <= distributor.Slots && admission.TryHandOff(distributor)))
            {
                distributor.ReleaseSlot();
                admission.SlotReleased();
            }

            GiveNewRoom(distributor);
        }
    }

    /// <summary>
    /// This answer may have raised the distributor's limit: its new slots go to waiters at once.
    /// Otherwise they would wait for a newcomer, and newcomers queue behind the waiters.
    /// </summary>
    private void GiveNewRoom(DistributorState distributor)
    {
        while (admission.HasWaiters && distributor.TryAcquireSlot())
        {
            if (!admission.TryGive(distributor))
            {
                distributor.ReleaseSlot();
                return;
            }
        }
    }

    /// <summary>
    /// How long an order ready to go waits for its turn: a few of the distributor's answers, at least
    /// the admission queue's wait. Past that, the distributor is not answering as it did.
    /// </summary>
    private TimeSpan ReadyWait(DistributorState distributor) =>
        TimeSpan.FromTicks(Math.Max(admission.MaxWait.Ticks, distributor.Latency.Ticks * ReadyWaitLatencies));

    private const int ReadyWaitLatencies = 3;
}
