namespace Meterai.Gateway.Routing;

/// <summary>The ids of the gateway's one YARP route and one cluster.</summary>
public static class GatewayProxy
{
    /// <summary>POST /api/purchases, forwarded to a distributor's POST /orders.</summary>
    public const string PurchaseRouteId = "purchases";

    /// <summary>Every registered distributor is a destination of this cluster, keyed by its registry id.</summary>
    public const string ClusterId = "distributors";

    public const string PurchasePath = "/api/purchases";
}
