using System.Diagnostics.Metrics;
using Prometheus;

namespace Meterai.Gateway.Observability;

/// <summary>
/// Kestrel's and Quartz's System.Diagnostics.Metrics instruments, published in the host's
/// registry by prometheus-net's meter adapter, which names them <c>{meter}_{instrument}</c>:
/// <c>microsoft_aspnetcore_server_kestrel_kestrel_active_connections</c>,
/// <c>quartz_quartz_job_execution_duration</c> (seconds).
/// </summary>
/// <remarks>
/// Started in <see cref="StartingAsync"/>, before any hosted service (the web server included)
/// starts, so no connection opens unseen: the adapter turns up-down counters into gauges by
/// adding increments, and a close seen without its open would read -1.
/// ASP.NET Core's request meters and System.Net.Http's are left out: <c>UseHttpMetrics</c> and the
/// HttpClient handlers cover them, without one series per distributor port. So are the runtime's
/// (<see cref="DotNetStats"/> covers them) and Quartz's job-store internals.
/// </remarks>
internal sealed class MeterAdapterService(CollectorRegistry registry, IMeterFactory meterFactory) : IHostedLifecycleService
{
    internal const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    internal const string QuartzMeter = Quartz.Diagnostics.QuartzInstrumentation.MeterName;

    /// <summary>What the Scheduling dashboard and an SRE read of Quartz: how long jobs ran, and how many run now.</summary>
    internal static readonly string[] QuartzInstruments = ["quartz.job.execution.duration", "quartz.job.execution.active"];

    /// <summary>Jobs take milliseconds to a minute; a histogram without bucket advice gets these (seconds).</summary>
    internal static readonly double[] SecondsBuckets = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60];

    private IDisposable? _adapter;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,

            // The default factory writes to the process-wide registry whatever Registry says.
            MetricFactory = Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = IsExported,
            ResolveHistogramBuckets = Buckets,

            // The adapter forgets a series not updated for this long (5 minutes by default, 1 day at
            // most). Our instruments have bounded labels, and a forgotten open-connections gauge would
            // come back at -1 on the next close; a listener sees a connection open or close within a day.
            MetricsExpireAfter = TimeSpan.FromDays(1),
        });
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _adapter?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// This host's Kestrel only: the demo fleet's simulated distributors run their own Kestrel in
    /// the same process, each with its own meter factory. Quartz's meter is process-wide.
    /// </summary>
    internal bool IsExported(Instrument instrument) => instrument.Meter.Name switch
    {
        KestrelMeter => ReferenceEquals(instrument.Meter.Scope, meterFactory),
        QuartzMeter => QuartzInstruments.Contains(instrument.Name, StringComparer.Ordinal),
        _ => false,
    };

    internal static double[] Buckets(Instrument instrument) => instrument switch
    {
        Histogram<double> { Advice.HistogramBucketBoundaries: { } advice } => [.. advice],
        _ => SecondsBuckets,
    };
}
