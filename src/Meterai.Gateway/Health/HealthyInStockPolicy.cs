using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Health;

/// <summary>
/// YARP recomputes available destinations only when health or stock changes, so filtering here
/// costs nothing per purchase, unlike filtering in the load-balancing policy.
/// </summary>
internal sealed class HealthyInStockPolicy(DistributorFleet fleet) : IAvailableDestinationsPolicy
{
    public string Name => AvailableDestinationsPolicyNames.HealthyInStock;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        var available = new List<DestinationState>(allDestinations.Count);
        foreach (var destination in allDestinations)
        {
            var health = destination.Health;
            if (health.Active != DestinationHealth.Unhealthy
                && health.Passive != DestinationHealth.Unhealthy
                && fleet.TryGet(destination.DestinationId, out var distributor)
                && distributor.MayHaveStock)
            {
                available.Add(destination);
            }
        }

        return available;
    }
}
