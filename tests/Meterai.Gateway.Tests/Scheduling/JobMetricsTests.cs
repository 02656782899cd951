using System.Globalization;
using System.Text.RegularExpressions;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Scheduling;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace Meterai.Gateway.Tests.Scheduling;

/// <summary>The meterai_job_* families the MeteraiJob* alerts read, on the real Program.</summary>
public sealed class JobMetricsTests
{
    private static readonly string[] Jobs = ["probe", "probe-retention", "reconciliation", "activity-audit", "oversight-report", "oversight-evidence"];

    [Fact]
    public async Task GetMetrics_FirstScrape_EveryJobHasItsIntervalALastSuccessAndZeroFailures()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

        var text = await gateway.Client.GetStringAsync("/metrics");

        foreach (var job in Jobs)
        {
            Assert.Contains($"\nmeterai_job_failures_total{{quartz_job=\"{job}\"}} 0\n", text, StringComparison.Ordinal);
            Assert.True(Value(text, "meterai_job_last_success_timestamp_seconds", job) > 1_700_000_000, $"{job}: no last success (or start) time");
            Assert.True(Value(text, "meterai_job_interval_seconds", job) > 0, $"{job}: no interval");
        }

        var probing = gateway.Services.GetRequiredService<IOptions<ProbingOptions>>().Value;
        Assert.Equal(probing.Interval.TotalSeconds, Value(text, "meterai_job_interval_seconds", ProbeJob.Key.Name));
    }

    [Fact]
    public async Task JobWasExecuted_ProbeRoundsRun_LastSuccessMovesPastTheStart()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings: new Dictionary<string, string?> { ["Probing:IntervalSeconds"] = "1" });
        var first = Value(await gateway.Client.GetStringAsync("/metrics"), "meterai_job_last_success_timestamp_seconds", "probe");

        await Eventually.TrueAsync(
            async () => Value(await gateway.Client.GetStringAsync("/metrics"), "meterai_job_last_success_timestamp_seconds", "probe") > first,
            "a later probe round recorded as the job's last success");
    }

    [Fact]
    public async Task JobWasExecuted_JobThrowsOrReportsFailure_CountedAsFailuresWithoutASuccess()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var scheduler = gateway.Services.GetRequiredService<IScheduler>();

        await scheduler.ScheduleJob(JobBuilder.Create<ThrowingJob>().WithIdentity("throwing-test-job").Build(), TriggerBuilder.Create().StartNow().Build());
        await scheduler.ScheduleJob(JobBuilder.Create<ReportingFailureJob>().WithIdentity("failing-test-job").Build(), TriggerBuilder.Create().StartNow().Build());

        await Eventually.TrueAsync(
            async () =>
            {
                var text = await gateway.Client.GetStringAsync("/metrics");
                return text.Contains("\nmeterai_job_failures_total{quartz_job=\"throwing-test-job\"} 1\n", StringComparison.Ordinal)
                    && text.Contains("\nmeterai_job_failures_total{quartz_job=\"failing-test-job\"} 1\n", StringComparison.Ordinal);
            },
            "both failures counted");
        var exposition = await gateway.Client.GetStringAsync("/metrics");
        Assert.DoesNotContain("meterai_job_last_success_timestamp_seconds{quartz_job=\"failing-test-job\"}", exposition, StringComparison.Ordinal);
        Assert.DoesNotContain("meterai_job_last_success_timestamp_seconds{quartz_job=\"throwing-test-job\"}", exposition, StringComparison.Ordinal);
    }

    private static double Value(string exposition, string family, string job)
    {
        var match = Regex.Match(exposition, $"\\n{family}\\{{quartz_job=\"{Regex.Escape(job)}\"\\}} (?<value>\\S+)\\n");
        Assert.True(match.Success, $"{family}{{quartz_job=\"{job}\"}} is not exported");
        return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    internal sealed class ThrowingJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the test job fails");
    }

    internal sealed class ReportingFailureJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            context.Result = JobMetrics.Failed;
            return ValueTask.CompletedTask;
        }
    }
}
