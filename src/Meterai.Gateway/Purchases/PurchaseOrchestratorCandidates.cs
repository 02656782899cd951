using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Purchases;

/// <summary>Where each attempt of a purchase may go, and the slots handed over in the admission queue.</summary>
internal sealed partial class PurchaseOrchestrator
{
    private ILoadBalancingPolicy? _policy;

    /// <summary>
    /// Where the next attempt may go: a slot handed over in the queue, if its distributor is still
    /// routable and has not refused this purchase; otherwise every routable distributor not tried yet.
    /// </summary>
    private IReadOnlyList<DestinationState> Candidates(IReadOnlyList<DestinationState> available, HashSet<string>? tried, PurchaseAttemptFeature attempt)
    {
        if (attempt.HandedSlot is { } handed)
        {
            foreach (var destination in available)
            {
                if (destination.DestinationId == handed.Id && tried?.Contains(handed.Id) != true)
                {
                    return [destination];
                }
            }

            GiveBackHandedSlot(attempt);
        }

        if (tried is null)
        {
            return available;
        }

        var candidates = new List<DestinationState>(available.Count);
        foreach (var destination in available)
        {
            if (!tried.Contains(destination.DestinationId))
            {
                candidates.Add(destination);
            }
        }

        return candidates;
    }

    /// <summary>
    /// A slot for the first attempt, taken before the claim so that both are one write: at the
    /// distributor the cluster's load balancer picks, the same pick YARP would make. Null when
    /// none has room or the pick lost a race; the claim is then written alone.
    /// </summary>
    private DistributorState? TakeFirstSlot(HttpContext context, IReadOnlyList<DestinationState> available)
    {
        var cluster = context.GetReverseProxyFeature().Route.Cluster!;
        var name = cluster.Model.Config.LoadBalancingPolicy;
        var policy = _policy is { } known && known.Name == name ? known : _policy = policies.FirstOrDefault(p => p.Name == name);
        var picked = policy?.PickDestination(context, cluster, available);
        return picked is not null && fleet.TryGet(picked.DestinationId, out var distributor) && distributor.TryAcquireSlot() ? distributor : null;
    }

    /// <summary>A slot taken for a first attempt that will not be made goes back, and a waiter hears of it.</summary>
    private void GiveBackSlot(DistributorState? slot)
    {
        if (slot is not null)
        {
            slot.ReleaseSlot();
            admission.SlotReleased();
        }
    }

    /// <summary>A handed-over slot this purchase will not use goes on to the next waiter, never lost.</summary>
    private void GiveBackHandedSlot(PurchaseAttemptFeature attempt)
    {
        var handed = attempt.HandedSlot;
        attempt.HandedSlot = null;
        GiveBackSlot(handed);
    }

    /// <summary>Slots free now across the routable distributors, ready slots included.</summary>
    private int FreeSlots(IReadOnlyList<DestinationState> available) =>
        SumOver(available, static d => Math.Max(0, d.Slots - d.Taken));

    /// <summary>
    /// Orders that could be sent now across the routable distributors, less those already recorded
    /// and waiting for a turn (negative then): what a newcomer finds ahead of it, besides the queue.
    /// </summary>
    private int SendRoom(IReadOnlyList<DestinationState> available) =>
        SumOver(available, static d => d.ConcurrencyLimit - d.Taken);

    private int SumOver(IReadOnlyList<DestinationState> available, Func<DistributorState, int> measure)
    {
        var sum = 0;
        foreach (var destination in available)
        {
            if (fleet.TryGet(destination.DestinationId, out var distributor))
            {
                sum += measure(distributor);
            }
        }

        return sum;
    }

    private bool HasRoom(IReadOnlyList<DestinationState> available) => FreeSlots(available) > 0;
}
