using Prometheus;
using Quartz;

namespace Meterai.Gateway.Scheduling;

/// <summary>One recurring job and its interval, as <see cref="RecurringJob.Schedule"/> declared it.</summary>
internal sealed record ScheduledJob(string Name, TimeSpan Interval);

/// <summary>
/// Whether the Quartz jobs run, for the MeteraiJob* alerts: per job (label <c>quartz_job</c>, as
/// <c>job</c> is Prometheus's target label; fixed names, one series each from the first scrape) its interval, the time of its last success and its failures. Before a
/// job's first success its last success is the gateway's start, so "stale" counts from there.
/// </summary>
/// <remarks>
/// A job fails when it throws, or when it sets <see cref="IJobExecutionContext.Result"/> to
/// <see cref="Failed"/> after catching a fault it logs itself (the ledger was unavailable, say).
/// Jobs run once per schedule across a cluster, so the alerts take the max over instances.
/// </remarks>
internal sealed class JobMetrics : IJobListener
{
    /// <summary>What a job sets as its result when it ran but did not do its work.</summary>
    public static readonly object Failed = new();

    private readonly Gauge _lastSuccess;
    private readonly Counter _failures;
    private readonly TimeProvider _time;

    public JobMetrics(CollectorRegistry registry, IEnumerable<ScheduledJob> jobs, TimeProvider time)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        var interval = factory.CreateGauge("meterai_job_interval_seconds",
            "The configured interval of a recurring Quartz job.", "quartz_job");
        _lastSuccess = factory.CreateGauge("meterai_job_last_success_timestamp_seconds",
            "Unix time of the job's last run that did its work on this gateway; the gateway's start until then.", "quartz_job");
        _failures = factory.CreateCounter("meterai_job_failures_total",
            "Runs of the job that threw or reported that they could not do their work.", "quartz_job");
        var started = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        foreach (var job in jobs)
        {
            interval.WithLabels(job.Name).Set(job.Interval.TotalSeconds);
            _lastSuccess.WithLabels(job.Name).Set(started);
            _failures.WithLabels(job.Name);
        }

        _time = time;
    }

    public string Name => "meterai-job-metrics";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var job = context.JobDetail.Key.Name;
        if (jobException is not null || ReferenceEquals(context.Result, Failed))
        {
            _failures.WithLabels(job).Inc();
        }
        else
        {
            _lastSuccess.WithLabels(job).Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        }

        return ValueTask.CompletedTask;
    }
}
