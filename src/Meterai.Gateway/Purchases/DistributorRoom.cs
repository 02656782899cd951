using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Purchases;

/// <summary>Where a purchase's next attempt may go, and how much room the routable distributors have. Allocation-free but for <see cref="Untried"/> after a refusal.</summary>
internal static class DistributorRoom
{
    /// <summary>How many of a distributor's answers an order ready to go waits for its turn, at least the admission queue's wait.</summary>
    private const int ReadyWaitLatencies = 3;

    /// <summary>YARP's routable destinations, as <see cref="Health.HealthyInStockPolicy"/> left them at the last health or stock change.</summary>
    public static IReadOnlyList<DestinationState> Available(ClusterState? cluster) => cluster?.DestinationsState.AvailableDestinations ?? [];

    /// <summary>A slot at the distributor of <paramref name="destination"/> (the load balancer's pick), or null when it has none free.</summary>
    public static SlotLease? TakeSlot(DistributorFleet fleet, AdmissionControl admission, DestinationState? destination) =>
        destination is not null && fleet.TryGet(destination.DestinationId, out var distributor) ? SlotLease.TryTake(distributor, admission) : null;

    /// <summary>The routable destination of <paramref name="distributorId"/>, unless it refused this purchase; null otherwise.</summary>
    public static DestinationState? Find(IReadOnlyList<DestinationState> available, string distributorId, HashSet<string>? refused)
    {
        if (refused?.Contains(distributorId) == true)
        {
            return null;
        }

        for (var i = 0; i < available.Count; i++)
        {
            if (available[i].DestinationId == distributorId)
            {
                return available[i];
            }
        }

        return null;
    }

    /// <summary>The routable distributors that have not refused this purchase.</summary>
    public static IReadOnlyList<DestinationState> Untried(IReadOnlyList<DestinationState> available, HashSet<string>? refused)
    {
        if (refused is null)
        {
            return available;
        }

        var candidates = new List<DestinationState>(available.Count);
        foreach (var destination in available)
        {
            if (!refused.Contains(destination.DestinationId))
            {
                candidates.Add(destination);
            }
        }

        return candidates;
    }

    /// <summary>
    /// How long an order ready to go waits for its turn: a few of the distributor's answers, at least
    /// the admission queue's wait. Past that, the distributor is not answering as it did.
    /// </summary>
    public static TimeSpan ReadyWait(DistributorState distributor, AdmissionControl admission) =>
        TimeSpan.FromTicks(Math.Max(admission.MaxWait.Ticks, distributor.Latency.Ticks * ReadyWaitLatencies));

    /// <summary>Whether a slot is free now at some routable distributor, ready slots included.</summary>
    public static bool HasRoom(DistributorFleet fleet, IReadOnlyList<DestinationState> available)
    {
        for (var i = 0; i < available.Count; i++)
        {
            if (fleet.TryGet(available[i].DestinationId, out var distributor) && distributor.Slots > distributor.Taken)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// An applicant queued or was refused for want of room: each routable distributor's limit hears of
    /// the demand, since orders in flight below a limit do not show it (docs/capacity.md). True when any
    /// of them could still grow, so a refusal now is for want of learning rather than of capacity.
    /// </summary>
    public static bool NoteDemand(DistributorFleet fleet, IReadOnlyList<DestinationState> available)
    {
        var couldGrow = false;
        for (var i = 0; i < available.Count; i++)
        {
            if (fleet.TryGet(available[i].DestinationId, out var distributor))
            {
                distributor.NoteDemand();
                couldGrow |= distributor.CouldGrow;
            }
        }

        return couldGrow;
    }

    /// <summary>
    /// Orders that could be sent now across the routable distributors, less those already recorded
    /// and waiting for a turn (negative then): what a newcomer finds ahead of it, besides the queue.
    /// </summary>
    public static int SendRoom(DistributorFleet fleet, IReadOnlyList<DestinationState> available)
    {
        var sum = 0;
        for (var i = 0; i < available.Count; i++)
        {
            if (fleet.TryGet(available[i].DestinationId, out var distributor))
            {
                sum += distributor.ConcurrencyLimit - distributor.Taken;
            }
        }

        return sum;
    }
}
