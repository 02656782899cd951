namespace Meterai.Gateway.Cluster;

/// <summary>
/// Splits one distributor's <c>maxConcurrency</c> across the live gateways so that together they
/// never send it more: each gets the floor of an equal share, and the remainder goes one each to
/// the next instances in turn, starting at a different instance for each distributor.
/// </summary>
/// <remarks>
/// A distributor with fewer slots than there are gateways leaves some of them none at all (the
/// registry's maxConcurrency is a ceiling the spec never lets anyone pass); the turn that moves with
/// the distributor spreads those slots, so three gateways in front of three distributors of two
/// slots each get two slots apiece, at two distributors each.
/// </remarks>
internal static class ClusterShare
{
    /// <param name="maxConcurrency">The registry's limit for the distributor.</param>
    /// <param name="liveInstances">Live gateways, this one included; at least 1.</param>
    /// <param name="rank">This gateway's place (0-based) among the live ones ordered by instance id.</param>
    /// <param name="distributorIndex">The distributor's place in the registry: where its remainder starts.</param>
    /// <returns>The orders this gateway may have in flight there; 0 when the remainder passes it by.</returns>
    public static int PerInstance(int maxConcurrency, int liveInstances, int rank, int distributorIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(liveInstances, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfNegative(distributorIndex);
        var turn = (rank - (distributorIndex % liveInstances) + liveInstances) % liveInstances;
        return maxConcurrency / liveInstances + (turn < maxConcurrency % liveInstances ? 1 : 0);
    }
}
