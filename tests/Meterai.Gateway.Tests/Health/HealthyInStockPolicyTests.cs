using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Tests.Health;

public sealed class HealthyInStockPolicyTests
{
    private static readonly ClusterConfig Cluster = new() { ClusterId = "distributors" };
    private static readonly string[] Ids = ["d01", "d02", "d03", "d04"];

    private readonly DistributorFleet _fleet = new();
    private readonly HealthyInStockPolicy _policy;
    private readonly DestinationState[] _destinations;

    public HealthyInStockPolicyTests()
    {
        _fleet.Load(
            [.. Ids.Select(id => new DistributorEntry(id, id, new Uri($"http://{id}.example/"), null, 8))],
            isDemo: false);
        _policy = new HealthyInStockPolicy(_fleet);
        _destinations = [.. _fleet.All.Select(d => new DestinationState(d.Id))];
    }

    private DestinationState Destination(string id) => _destinations.Single(d => d.DestinationId == id);

    private DistributorState Distributor(string id) => _fleet.TryGet(id, out var state) ? state : throw new InvalidOperationException(id);

    private IEnumerable<string> Available() =>
        _policy.GetAvailalableDestinations(Cluster, _destinations).Select(d => d.DestinationId);

    [Fact]
    public void GetAvailalableDestinations_UnknownHealthAndStock_KeepsAll()
    {
        Assert.Equal(["d01", "d02", "d03", "d04"], Available());
    }

    [Fact]
    public void GetAvailalableDestinations_HealthyWithStock_Kept()
    {
        Destination("d01").Health.Active = DestinationHealth.Healthy;
        Destination("d01").Health.Passive = DestinationHealth.Healthy;
        Distributor("d01").SetStock(10);

        Assert.Contains("d01", Available());
    }

    [Fact]
    public void GetAvailalableDestinations_ActiveUnhealthy_FilteredOut()
    {
        Destination("d02").Health.Active = DestinationHealth.Unhealthy;

        Assert.Equal(["d01", "d03", "d04"], Available());
    }

    [Fact]
    public void GetAvailalableDestinations_PassiveUnhealthy_FilteredOut()
    {
        Destination("d03").Health.Passive = DestinationHealth.Unhealthy;

        Assert.Equal(["d01", "d02", "d04"], Available());
    }

    [Fact]
    public void GetAvailalableDestinations_SoldOut_FilteredOut()
    {
        Distributor("d04").SetStock(0);

        Assert.Equal(["d01", "d02", "d03"], Available());
    }

    [Fact]
    public void GetAvailalableDestinations_BackInStock_KeptAgain()
    {
        Distributor("d04").SetStock(0);
        Distributor("d04").SetStock(3);

        Assert.Contains("d04", Available());
    }

    [Fact]
    public void GetAvailalableDestinations_MixedStates_KeepsOnlyRoutable()
    {
        Destination("d01").Health.Active = DestinationHealth.Unhealthy;
        Destination("d02").Health.Passive = DestinationHealth.Unhealthy;
        Distributor("d03").SetStock(0);
        Destination("d04").Health.Active = DestinationHealth.Unknown;
        Destination("d04").Health.Passive = DestinationHealth.Unknown;

        Assert.Equal(["d04"], Available());
    }

    [Fact]
    public void GetAvailalableDestinations_DestinationNotInFleet_FilteredOut()
    {
        DestinationState[] destinations = [new("ghost"), .. _destinations];

        var available = _policy.GetAvailalableDestinations(Cluster, destinations);

        Assert.DoesNotContain(available, d => d.DestinationId == "ghost");
        Assert.Equal(4, available.Count);
    }

    [Fact]
    public void GetAvailalableDestinations_NoDestinations_ReturnsEmpty()
    {
        Assert.Empty(_policy.GetAvailalableDestinations(Cluster, []));
    }

    [Fact]
    public void Name_Always_IsConfiguredPolicyName()
    {
        Assert.Equal(AvailableDestinationsPolicyNames.HealthyInStock, _policy.Name);
    }
}
