using BenchmarkDotNet.Attributes;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Meterai.Benchmarks;

/// <summary>
/// The routing decision on every purchase: the gateway's LeastLoadedOfTwo policy picking among the
/// 26 registered destinations, with realistic load on them. Target: ≤ 200 ns and 0 bytes a pick.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private readonly DefaultHttpContext _context = new();
    private LeastLoadedOfTwoPolicy _policy = null!;
    private ClusterState _cluster = null!;
    private DestinationState[] _destinations = null!;
    private DestinationState[] _mostlyFull = null!;

    [GlobalSetup]
    public void Setup()
    {
        var fleet = new DistributorFleet();
        var entries = Enumerable.Range(1, 26)
            .Select(i => new DistributorEntry($"d{i:D2}", $"PT Distributor {i}", new Uri($"http://127.0.0.1:{9000 + i}/"), null, 16 + (i % 4) * 16))
            .ToList();
        fleet.Load(entries, isDemo: false);

        // A busy fleet: every distributor has some orders in flight.
        foreach (var state in fleet.All)
        {
            for (var i = 0; i < state.MaxConcurrency / 2; i++)
            {
                state.TryAcquireSlot();
            }
        }

        _policy = new LeastLoadedOfTwoPolicy(fleet, new Random(42));
        _cluster = new ClusterState("distributors");
        _destinations = entries.Select(e => new DestinationState(e.Id)).ToArray();

        // 24 of 26 at their limit: the two random samples usually miss, so the scan fallback runs.
        var full = new DistributorFleet();
        full.Load(entries, isDemo: false);
        foreach (var state in full.All.Skip(2))
        {
            while (state.TryAcquireSlot())
            {
            }
        }

        _fullPolicy = new LeastLoadedOfTwoPolicy(full, new Random(42));
        _mostlyFull = _destinations;
    }

    private LeastLoadedOfTwoPolicy _fullPolicy = null!;

    [Benchmark(Baseline = true)]
    public DestinationState? Pick26() => _policy.PickDestination(_context, _cluster, _destinations);

    [Benchmark]
    public DestinationState? Pick26MostlyFull() => _fullPolicy.PickDestination(_context, _cluster, _mostlyFull);
}
