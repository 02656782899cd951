using Meterai.Gateway.Admission;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Routing;

namespace Meterai.Gateway.Status;

/// <summary>
/// The public answer to "can I buy now": the distributors selling now by the one definition
/// (<see cref="SellingNow"/>: healthy by probe, in stock, not refusing orders), the same count
/// /oversight and the reports give.
/// </summary>
internal sealed class PublicStatus(DistributorFleet fleet, SellingNow sellingNow, IWaitEstimate wait)
{
    public StatusView Current()
    {
        var distributors = fleet.All;
        var selling = sellingNow.Ids().Count;

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
