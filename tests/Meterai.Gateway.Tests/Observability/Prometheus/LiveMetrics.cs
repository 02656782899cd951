namespace Meterai.Gateway.Tests.Observability.Prometheus;

/// <summary>
/// For tests that read a live gateway's /metrics: they run alone, after the parallel tests.
/// </summary>
/// <remarks>
/// A MeterProvider listens to meters by name across the whole process, and every gateway host of
/// a parallel test creates its own meter instances with the same names. OpenTelemetry merges
/// identical instruments into one stream, and when any of those hosts is disposed it ends the
/// shared stream for every provider: a live gateway's families would vanish mid-test. One host
/// per process, as in production, never meets this.
/// </remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveMetrics
{
    public const string Name = "live metrics";
}
