using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Routing;

/// <summary>
/// The one definition of a distributor <em>selling now</em> (docs/oversight-rules.md, "Selling,
/// sold and active"): healthy by its latest probe, in stock, and not refusing orders. /api/status,
/// /status, /oversight, the capacity samples behind the reports' hourly figures and the reports
/// themselves all count with it, so they never give two answers to "how many sell?".
/// </summary>
/// <remarks>
/// Routing offers orders to a few more: a distributor not probed yet, and one whose refusal pause
/// has ended, each get one order as a test. Neither counts as selling until it sells.
/// Flags are not read: a distributor flagged inactive that is healthy and in stock is selling.
/// </remarks>
internal sealed class SellingNow(DistributorFleet fleet, DistributorRouting routing)
{
    /// <summary>The definition itself, on what the gateway knows of one distributor now.</summary>
    /// <param name="health">Its routing health (probe and passive); null when routing does not know it.</param>
    public static bool Is(DistributorState distributor, DestinationHealthState? health)
    {
        ArgumentNullException.ThrowIfNull(distributor);
        return health is not null
            && distributor.Healthy == true
            && distributor.MayHaveStock
            && !distributor.RefusingOrders
            && health.Active != DestinationHealth.Unhealthy
            && health.Passive != DestinationHealth.Unhealthy;
    }

    public bool Is(DistributorState distributor) =>
        Is(distributor, routing.TryGetCluster(out var cluster) && cluster.Destinations.TryGetValue(distributor.Id, out var destination) ? destination.Health : null);

    /// <summary>The ids of the registered distributors selling now.</summary>
    public IReadOnlySet<string> Ids()
    {
        var destinations = routing.TryGetCluster(out var cluster) ? cluster.Destinations : null;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var distributor in fleet.All)
        {
            if (destinations is not null && destinations.TryGetValue(distributor.Id, out var destination) && Is(distributor, destination.Health))
            {
                ids.Add(distributor.Id);
            }
        }

        return ids;
    }
}
