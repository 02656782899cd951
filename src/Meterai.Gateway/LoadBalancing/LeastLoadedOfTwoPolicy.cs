using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.LoadBalancing;

/// <summary>
/// Picks two distributors at random and sends the order to the less utilised one, measured as
/// slots taken against its slots (its learned concurrency limit and the ready slots beyond it), so
/// a seller that can take more gets proportionally more, and one that is struggling gets less at once.
/// </summary>
/// <remarks>
/// Health and stock are already filtered out by the cluster's available-destinations policy;
/// this adds load. Two random samples avoid the herd that "always the least loaded" causes
/// when many requests decide on the same stale counts. It never returns a distributor with no
/// slot free: when both samples are full it scans for one with room, and returns null if none has.
/// Allocation-free: it runs on every purchase.
/// </remarks>
internal sealed class LeastLoadedOfTwoPolicy(DistributorFleet fleet, Random random) : ILoadBalancingPolicy
{
    public string Name => LoadBalancingPolicyNames.LeastLoadedOfTwo;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var count = availableDestinations.Count;
        if (count == 0)
        {
            return null;
        }

        if (count == 1)
        {
            var only = availableDestinations[0];
            return Utilisation(only) < 1 ? only : null;
        }

        var first = random.Next(count);
        var second = random.Next(count - 1);
        if (second >= first)
        {
            second++;
        }

        var a = availableDestinations[first];
        var b = availableDestinations[second];
        var utilisationA = Utilisation(a);
        var utilisationB = Utilisation(b);
        var (best, bestUtilisation) = utilisationA <= utilisationB ? (a, utilisationA) : (b, utilisationB);
        return bestUtilisation < 1 ? best : LeastUtilised(availableDestinations);
    }

    private DestinationState? LeastUtilised(IReadOnlyList<DestinationState> destinations)
    {
        DestinationState? best = null;
        var bestUtilisation = 1.0;
        for (var i = 0; i < destinations.Count; i++)
        {
            var utilisation = Utilisation(destinations[i]);
            if (utilisation < bestUtilisation)
            {
                best = destinations[i];
                bestUtilisation = utilisation;
            }
        }

        return best;
    }

    private double Utilisation(DestinationState destination) =>
        fleet.TryGet(destination.DestinationId, out var distributor) && distributor.Slots > 0
            ? (double)distributor.Taken / distributor.Slots
            : double.PositiveInfinity;
}
