namespace Meterai.Gateway.Health;

/// <summary>The gateway's own YARP available-destinations policies.</summary>
internal static class AvailableDestinationsPolicyNames
{
    /// <summary>Not unhealthy by active probe, not unhealthy by passive health, and not known to be sold out.</summary>
    public const string HealthyInStock = "HealthyInStock";
}

/// <summary>The gateway's own YARP passive health policies.</summary>
internal static class PassiveHealthPolicyNames
{
    /// <summary>Failure rate over a window, counting 5xx answers and timeouts as well as transport errors.</summary>
    public const string FailureRate = "FailureRate";
}
