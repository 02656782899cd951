using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Meterai.Gateway.LoadBalancing;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// The distributors' YARP configuration: turns the distributor registry into one cluster, one
/// destination per distributor, and no route (the purchase sends its orders itself). Starts empty and swaps in the fleet once it is loaded, because
/// the demo fleet's addresses are only known after its listeners are bound.
/// </summary>
internal sealed class DistributorProxyConfigProvider : IProxyConfigProvider
{
    private readonly IOptions<PurchasingOptions> _purchasing;
    private readonly IOptions<PassiveHealthOptions> _passiveHealth;
    private Snapshot _current;

    public DistributorProxyConfigProvider(DistributorFleet fleet, IOptions<PurchasingOptions> purchasing, IOptions<PassiveHealthOptions> passiveHealth)
    {
        _purchasing = purchasing;
        _passiveHealth = passiveHealth;
        // Subscribe before the first build, so a load that lands in between is not missed.
        _current = new Snapshot([], []);
        fleet.Loaded += () => Publish(fleet.All);
        Publish(fleet.All);
    }

    public IProxyConfig GetConfig() => _current;

    private void Publish(IReadOnlyList<DistributorState> distributors)
    {
        var next = Build(distributors);
        var previous = Interlocked.Exchange(ref _current, next);
        previous.SignalChange();
    }

    private Snapshot Build(IReadOnlyList<DistributorState> distributors)
    {
        var cluster = new ClusterConfig
        {
            ClusterId = GatewayProxy.ClusterId,
            LoadBalancingPolicy = LoadBalancingPolicyNames.LeastLoadedOfTwo,
            HealthCheck = new HealthCheckConfig
            {
                AvailableDestinationsPolicy = AvailableDestinationsPolicyNames.HealthyInStock,
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = PassiveHealthPolicyNames.FailureRate,
                    ReactivationPeriod = _passiveHealth.Value.ReactivationPeriod,
                },
            },
            HttpRequest = new ForwarderRequestConfig
            {
                // A distributor that has not answered by then is treated as ambiguous and looked up (HttpOrderSender).
                ActivityTimeout = _purchasing.Value.AttemptTimeout,
                Version = System.Net.HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            },
            Destinations = distributors.ToDictionary(
                d => d.Id,
                d => new DestinationConfig { Address = d.Entry.BaseUrl.AbsoluteUri },
                StringComparer.Ordinal),
        };

        return new Snapshot([], [cluster]);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "YARP may still watch an old snapshot's token; it is signalled once and left to the GC.")]
    private sealed class Snapshot(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();

        public IReadOnlyList<RouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        public IChangeToken ChangeToken => new CancellationChangeToken(_changed.Token);

        public void SignalChange() => _changed.Cancel();
    }
}
