using Meterai.Gateway.Distributors;
using Meterai.Gateway.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Tests.LoadBalancing;

public sealed class LeastLoadedOfTwoPolicyTests
{
    private readonly DefaultHttpContext _context = new();
    private readonly ClusterState _cluster = new("distributors");

    private static DistributorEntry Entry(string id, int maxConcurrency) =>
        new(id, id, new Uri($"http://{id}.example/"), apiKey: null, maxConcurrency);

    private static DistributorFleet Fleet(params DistributorEntry[] entries)
    {
        var fleet = new DistributorFleet();
        fleet.Load(entries, isDemo: false);
        return fleet;
    }

    private static DestinationState[] Destinations(DistributorFleet fleet) =>
        fleet.All.Select(d => new DestinationState(d.Id)).ToArray();

    private static DistributorState Distributor(DistributorFleet fleet, string id) =>
        fleet.TryGet(id, out var state) ? state : throw new InvalidOperationException($"no distributor {id}");

    private static void Fill(DistributorState distributor, int slots)
    {
        for (var i = 0; i < slots; i++)
        {
            Assert.True(distributor.TryAcquireSlot());
        }
    }

    [Fact]
    public void PickDestination_SomeDistributorsFull_NeverPicksAFullOne()
    {
        var fleet = Fleet([.. Enumerable.Range(1, 10).Select(i => Entry($"d{i:00}", 4))]);
        var destinations = Destinations(fleet);
        var full = new HashSet<string>(StringComparer.Ordinal) { "d01", "d02", "d03", "d05", "d08", "d09", "d10" };
        foreach (var id in full)
        {
            Fill(Distributor(fleet, id), 4);
        }

        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        var picked = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 5_000; i++)
        {
            var destination = policy.PickDestination(_context, _cluster, destinations);

            Assert.NotNull(destination);
            Assert.DoesNotContain(destination.DestinationId, full);
            picked.Add(destination.DestinationId);
        }

        Assert.Equal(["d04", "d06", "d07"], picked.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PickDestination_PickAndTakeSlotUntilFleetIsFull_NeverOverfillsAndEndsWithNull()
    {
        var fleet = Fleet(Entry("d01", 1), Entry("d02", 2), Entry("d03", 8), Entry("d04", 64), Entry("d05", 5));
        var destinations = Destinations(fleet);
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        var capacity = fleet.All.Sum(d => d.MaxConcurrency);

        for (var i = 0; i < capacity; i++)
        {
            var destination = policy.PickDestination(_context, _cluster, destinations);

            Assert.NotNull(destination);
            Assert.True(Distributor(fleet, destination.DestinationId).TryAcquireSlot(), $"pick {i} chose full distributor {destination.DestinationId}");
        }

        Assert.All(fleet.All, d => Assert.Equal(d.MaxConcurrency, d.Taken));
        Assert.Null(policy.PickDestination(_context, _cluster, destinations));
    }

    [Fact]
    public void PickDestination_AllFull_ReturnsNull()
    {
        var fleet = Fleet(Entry("d01", 2), Entry("d02", 3), Entry("d03", 1));
        foreach (var distributor in fleet.All)
        {
            Fill(distributor, distributor.MaxConcurrency);
        }

        var destinations = Destinations(fleet);
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));

        for (var i = 0; i < 100; i++)
        {
            Assert.Null(policy.PickDestination(_context, _cluster, destinations));
        }
    }

    [Fact]
    public void PickDestination_NoDestinations_ReturnsNull()
    {
        var fleet = Fleet(Entry("d01", 2));
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));

        Assert.Null(policy.PickDestination(_context, _cluster, []));
    }

    [Fact]
    public void PickDestination_TwoDestinations_PrefersLowerUtilisationNotFewerInFlight()
    {
        var fleet = Fleet(Entry("big", 64), Entry("small", 8));
        Fill(Distributor(fleet, "big"), 8); // 8 / 64 = 0.125
        Fill(Distributor(fleet, "small"), 2); // 2 / 8 = 0.25
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        DestinationState[] forward = [new("big"), new("small")];
        DestinationState[] backward = [forward[1], forward[0]];

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal("big", policy.PickDestination(_context, _cluster, forward)?.DestinationId);
            Assert.Equal("big", policy.PickDestination(_context, _cluster, backward)?.DestinationId);
        }
    }

    [Fact]
    public void PickDestination_TwoDestinationsLessUtilisedIsFull_PicksTheOtherWhenItHasRoom()
    {
        var fleet = Fleet(Entry("d01", 1), Entry("d02", 4));
        Fill(Distributor(fleet, "d01"), 1);
        Fill(Distributor(fleet, "d02"), 3);
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        var destinations = Destinations(fleet);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("d02", policy.PickDestination(_context, _cluster, destinations)?.DestinationId);
        }
    }

    [Fact]
    public void PickDestination_EqualUtilisation_SpreadsOverBoth()
    {
        var fleet = Fleet(Entry("d01", 4), Entry("d02", 4), Entry("d03", 4));
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        var destinations = Destinations(fleet);

        var counts = Enumerable.Range(0, 3_000)
            .Select(_ => policy.PickDestination(_context, _cluster, destinations)!.DestinationId)
            .CountBy(id => id)
            .ToDictionary(StringComparer.Ordinal);

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 500, 1_500));
    }

    [Fact]
    public void PickDestination_SingleDestinationWithRoom_ReturnsIt()
    {
        var fleet = Fleet(Entry("d01", 2));
        Fill(Distributor(fleet, "d01"), 1);
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        var only = new DestinationState("d01");

        Assert.Same(only, policy.PickDestination(_context, _cluster, [only]));
    }

    [Fact]
    public void PickDestination_SingleDestinationFull_ReturnsNull()
    {
        var fleet = Fleet(Entry("d01", 2));
        Fill(Distributor(fleet, "d01"), 2);
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));

        Assert.Null(policy.PickDestination(_context, _cluster, [new DestinationState("d01")]));
    }

    [Fact]
    public void PickDestination_DestinationNotInFleet_NeverPicked()
    {
        var fleet = Fleet(Entry("d01", 4));
        var policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        DestinationState[] destinations = [new("ghost"), new("d01")];

        Assert.Null(policy.PickDestination(_context, _cluster, [new DestinationState("ghost")]));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("d01", policy.PickDestination(_context, _cluster, destinations)?.DestinationId);
        }
    }

    [Fact]
    public void Name_Always_IsConfiguredPolicyName()
    {
        var policy = new LeastLoadedOfTwoPolicy(Fleet(Entry("d01", 1)), new Random(42));

        Assert.Equal(LoadBalancingPolicyNames.LeastLoadedOfTwo, policy.Name);
    }
}
