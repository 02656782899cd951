namespace Meterai.Gateway.Routing;

/// <summary>The id of the gateway's one YARP cluster, and the purchase path.</summary>
internal static class GatewayProxy
{
    /// <summary>Every registered distributor is a destination of this cluster, keyed by its registry id.</summary>
    public const string ClusterId = "distributors";

    public const string PurchasePath = "/api/purchases";
}
