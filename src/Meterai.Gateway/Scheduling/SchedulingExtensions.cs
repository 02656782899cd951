using Meterai.Gateway.Ledger;
using Meterai.Gateway.Settings;
using Quartz;

namespace Meterai.Gateway.Scheduling;

internal static class SchedulingExtensions
{
    /// <summary>
    /// Registers the Quartz scheduler, persisted in the ledger's database, and the recurring jobs the
    /// features hand it: each feature declares its own jobs (<see cref="ScheduleJobs"/>), and the
    /// host's call is the one list of them.
    /// </summary>
    /// <remarks>
    /// Callable before or after <c>AddLedger</c>: the store comes from configuration through
    /// <see cref="LedgerDialects.Resolve"/>, and the ledger's migrations run while the host is
    /// starting, before Quartz touches the database.
    /// </remarks>
    internal static WebApplicationBuilder AddScheduling(this WebApplicationBuilder builder, params ScheduleJobs[] jobs)
    {
        builder.Services.AddRangedOptions<SchedulingOptions>(SchedulingOptions.Section)
            .Validate(o => o.InstanceName is { Length: >= 1 and <= 80 } name && !string.IsNullOrWhiteSpace(name), "Scheduling:InstanceName must be 1 to 80 characters, not blank.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.InstanceId), "Scheduling:InstanceId must not be empty (AUTO makes a unique one).")
            .ValidateOnStart();

        var scheduling = Bind<SchedulingOptions>(builder, SchedulingOptions.Section);

        // AUTO becomes one id, the same for Quartz and for the cluster membership read from its check-ins.
        var instanceId = scheduling.ResolvedInstanceId;
        builder.Services.PostConfigure<SchedulingOptions>(o => o.InstanceId = instanceId);
        if (!scheduling.Enabled)
        {
            return builder;
        }

        // Quartz fires on the system clock, so the first firings are reckoned on it too; a test's
        // TimeProvider in the container moves the jobs' own reckoning, not when Quartz fires them.
        var time = TimeProvider.System;
        var (dialect, connectionString) = LedgerDialects.Resolve(builder.Configuration);
        builder.Services.AddQuartz(quartz =>
        {
            quartz.UseTimeProvider(time);
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = scheduling.InstanceName;
                scheduler.InstanceId = instanceId;
            });

            // An unknown provider has no store; Ledger:Provider's validation names it at start.
            if (dialect is not null)
            {
                quartz.UsePersistentStore(store => QuartzStore.Configure(store, dialect, connectionString, scheduling));
            }

            foreach (var schedule in jobs)
            {
                schedule(quartz, builder.Configuration, time);
            }

            quartz.AddJobListener(services => services.GetRequiredService<JobMetrics>(), [GroupMatcher<JobKey>.AnyGroup()]);
        });
        builder.Services.AddSingleton<JobMetrics>();

        // A restart replaces each stored trigger with the one declared above, starting now rather
        // than where the old one left off: a changed interval takes effect, and the first probe
        // round runs at start instead of up to one interval later.
        builder.Services.Configure<QuartzOptions>(options =>
        {
            options.Scheduling.OverwriteExistingData = true;
            options.Scheduling.ScheduleTriggerRelativeToReplacedTrigger = false;
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>A value out of range stops start-up here, with the line the start-up check would give.</summary>
    private static T Bind<T>(WebApplicationBuilder builder, string section)
        where T : class, new() =>
        builder.Configuration.BindChecked<T>(section);
}
