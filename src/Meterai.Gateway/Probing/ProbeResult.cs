namespace Meterai.Gateway.Probing;

/// <summary>One distributor's answer to one probe round.</summary>
/// <param name="Stock">Available stock, or null when the distributor was unhealthy or did not say.</param>
internal sealed record ProbeResult(string DistributorId, DateTimeOffset ProbedAt, bool Healthy, int? Stock, TimeSpan Latency)
{
    /// <summary>Healthy and says it has nothing to sell: the evidence behind an "idle distributor" finding.</summary>
    public bool SoldOut => Healthy && Stock == 0;
}
