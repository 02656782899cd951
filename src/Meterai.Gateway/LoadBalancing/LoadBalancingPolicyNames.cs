namespace Meterai.Gateway.LoadBalancing;

/// <summary>The gateway's own YARP load-balancing policies.</summary>
internal static class LoadBalancingPolicyNames
{
    /// <summary>Power of two choices by utilisation (in flight / learned concurrency limit), never past a distributor's limit.</summary>
    public const string LeastLoadedOfTwo = "LeastLoadedOfTwo";
}
