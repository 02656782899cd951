namespace Meterai.Gateway.Cluster;

/// <summary>
/// Splits one distributor's <c>maxConcurrency</c> across the live gateways so that together they
/// never send it more: each gets the floor of an equal share, the remainder goes one each to the
/// first instances by id, and every instance keeps at least one slot.
/// </summary>
/// <remarks>
/// The minimum of one means the sum exceeds the limit only when the limit is below the number of
/// live gateways (three gateways on a distributor of maxConcurrency 2 send it at most 3): a
/// gateway with no slot at all would refuse the distributor's whole stock on its side.
/// </remarks>
internal static class ClusterShare
{
    /// <param name="maxConcurrency">The registry's limit for the distributor.</param>
    /// <param name="liveInstances">Live gateways, this one included; at least 1.</param>
    /// <param name="rank">This gateway's place (0-based) among the live ones ordered by instance id.</param>
    public static int PerInstance(int maxConcurrency, int liveInstances, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(liveInstances, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        var share = maxConcurrency / liveInstances + (rank < maxConcurrency % liveInstances ? 1 : 0);
        return Math.Max(1, share);
    }
}
