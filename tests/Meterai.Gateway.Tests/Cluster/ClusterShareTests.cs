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

    [Theory]
    [InlineData(2, 3)]
    [InlineData(1, 3)]
    [InlineData(4, 5)]
    public void PerInstance_LimitBelowInstances_NeverPassesTheLimitTogether(int maxConcurrency, int instances)
    {
        for (var distributor = 0; distributor < 4; distributor++)
        {
            var shares = Enumerable.Range(0, instances).Select(rank => ClusterShare.PerInstance(maxConcurrency, instances, rank, distributor)).ToList();

            Assert.Equal(maxConcurrency, shares.Sum());
            Assert.All(shares, share => Assert.InRange(share, 0, 1));
        }
    }

    [Fact]
    public void PerInstance_ThreeGatewaysThreeDistributorsOfTwo_EveryGatewayGetsTwoSlots()
    {
        var perGateway = Enumerable.Range(0, 3)
            .Select(rank => Enumerable.Range(0, 3).Sum(distributor => ClusterShare.PerInstance(2, 3, rank, distributor)))
            .ToList();

        Assert.Equal([2, 2, 2], perGateway);
    }
}
