using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Routing;

/// <summary>
/// Feeds what the gateway learns about distributors (probes, sold-out answers) into YARP's
/// destination state, so the next routing decision already avoids them.
/// </summary>
internal sealed partial class DistributorRouting(
    IProxyStateLookup proxyState,
    IDestinationHealthUpdater healthUpdater,
    IClusterDestinationsUpdater destinationsUpdater,
    ILogger<DistributorRouting> logger)
{
    public bool TryGetCluster(out ClusterState cluster) => proxyState.TryGetCluster(GatewayProxy.ClusterId, out cluster!);

    /// <summary>Applies an active probe: health into YARP, stock into the distributor's state.</summary>
    public void ReportProbe(DistributorState distributor, bool healthy, int? stock)
    {
        if (!TryGetCluster(out var cluster) || !cluster.Destinations.TryGetValue(distributor.Id, out var destination))
        {
            return;
        }

        var stockChanged = stock is { } available && distributor.SetStock(available);
        var health = healthy ? DestinationHealth.Healthy : DestinationHealth.Unhealthy;
        var was = destination.Health.Active;
        if (was != health)
        {
            // One line per change of state, none per probe. A first probe that finds a distributor
            // healthy is the expected start, not news; one that finds it down is.
            if (was == DestinationHealth.Unknown && health == DestinationHealth.Healthy)
            {
                LogFirstHealthy(logger, distributor.Id);
            }
            else
            {
                LogHealthChanged(logger, distributor.Id, health);
            }
        }

        // SetActive recomputes the available destinations itself when health changed.
        healthUpdater.SetActive(cluster, [new NewActiveDestinationHealth(destination, health)]);
        if (stockChanged)
        {
            destinationsUpdater.UpdateAvailableDestinations(cluster);
        }
    }

    /// <summary>A 409 out_of_stock: stop offering this distributor orders until a probe sees stock again.</summary>
    public void ReportSoldOut(DistributorState distributor)
    {
        if (distributor.SetStock(0) && TryGetCluster(out var cluster))
        {
            LogSoldOut(logger, distributor.Id);
            destinationsUpdater.UpdateAvailableDestinations(cluster);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Distributor {DistributorId} is now {Health} by active probe")]
    private static partial void LogHealthChanged(ILogger logger, string distributorId, DestinationHealth health);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Distributor {DistributorId} is healthy at its first probe")]
    private static partial void LogFirstHealthy(ILogger logger, string distributorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Distributor {DistributorId} answered out_of_stock; routing around it until a probe sees stock")]
    private static partial void LogSoldOut(ILogger logger, string distributorId);
}
