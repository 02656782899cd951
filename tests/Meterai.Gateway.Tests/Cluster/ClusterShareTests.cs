using Meterai.Gateway.Cluster;

namespace Meterai.Gateway.Tests.Cluster;

public sealed class ClusterShareTests
{
    [Theory]
    [InlineData(10, 1)]
    [InlineData(10, 3)]
    [InlineData(9, 3)]
    [InlineData(3, 3)]
    [InlineData(64, 5)]
    public void PerInstance_LimitAtLeastInstances_SharesSumToTheLimit(int maxConcurrency, int instances)
    {
        var shares = Enumerable.Range(0, instances).Select(rank => ClusterShare.PerInstance(maxConcurrency, instances, rank)).ToList();

        Assert.Equal(maxConcurrency, shares.Sum());
        Assert.True(shares.Max() - shares.Min() <= 1);
    }

    [Fact]
    public void PerInstance_LimitBelowInstances_EveryInstanceKeepsOneSlot()
    {
        var shares = Enumerable.Range(0, 3).Select(rank => ClusterShare.PerInstance(2, 3, rank));

        Assert.All(shares, share => Assert.Equal(1, share));
    }
}
