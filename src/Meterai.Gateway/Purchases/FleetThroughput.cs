using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// What the fleet can sell per second now by Little's law: each routable distributor's learned limit
/// over its measured latency, summed. It follows a capacity change within a few answers, where the
/// drain rate needs its whole window. A limit in slow start counts as the ceiling it doubles towards
/// each round trip: a cold gateway's limit of 2 refused applicants it served a moment later (issue 27).
/// </summary>
internal sealed class FleetThroughput(DistributorFleet fleet) : IFleetThroughput
{
    public double OrdersPerSecond
    {
        get
        {
            var total = 0.0;
            foreach (var distributor in fleet.All)
            {
                var latency = distributor.Latency;
                if (distributor.Healthy != false && distributor.MayHaveStock && latency > TimeSpan.Zero)
                {
                    total += distributor.HeadedFor / latency.TotalSeconds;
                }
            }

            return total;
        }
    }
}
