namespace Meterai.Gateway.Tests.Observability.LivePrometheus;

/// <summary>
/// For tests that wait on a real Prometheus's scrape intervals: they run alone, after the parallel
/// tests, so a loaded machine does not stretch their waits past their bounds.
/// </summary>
/// <remarks>
/// Not for isolation: every gateway host has its own prometheus-net registry, so parallel hosts
/// never see each other's series (only Quartz's meter is process-wide).
/// </remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveMetrics
{
    public const string Name = "live metrics";
}
