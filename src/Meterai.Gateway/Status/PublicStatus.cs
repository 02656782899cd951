using Meterai.Gateway.Distributors;
using Meterai.Gateway.Routing;

namespace Meterai.Gateway.Status;

/// <summary>
/// The public answer to "can I buy now", computed from what routing itself uses: the number of the
/// cluster's available destinations, which YARP keeps through the HealthyInStock policy (not
/// unhealthy by probe or by passive health, not sold out). So the status page can never say yes
/// while purchases are refused, or no while they go through.
/// </summary>
internal sealed class PublicStatus(DistributorFleet fleet, DistributorRouting routing, IWaitEstimate wait)
{
    public StatusView Current()
    {
        var distributors = fleet.All;
        var selling = routing.TryGetCluster(out var cluster) ? cluster.DestinationsState.AvailableDestinations.Count : 0;

        DateTimeOffset? updatedAt = null;
        foreach (var distributor in distributors)
        {
            if (distributor.LastProbedAt is { } probed && (updatedAt is null || probed > updatedAt))
            {
                updatedAt = probed;
            }
        }

        return new StatusView(
            CanBuy: selling > 0,
            SellingDistributors: selling,
            RegisteredDistributors: distributors.Count,
            EstimatedWaitSeconds: (int)Math.Ceiling(Math.Max(wait.EstimatedWait.TotalSeconds, 0)),
            UpdatedAt: updatedAt);
    }
}
