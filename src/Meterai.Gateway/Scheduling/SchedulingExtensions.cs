using Meterai.Gateway.Health;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Settings;
using Quartz;

namespace Meterai.Gateway.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// Registers the recurring jobs and the Quartz scheduler that owns their schedule, persisted in
    /// the ledger's database. Each job says how it is scheduled in its own static <c>Schedule</c>;
    /// this is the one list of them.
    /// </summary>
    /// <remarks>
    /// Call after <c>AddLedger</c>: hosted services start in registration order, and Quartz must
    /// not touch the database (nor create its tables) before the ledger's migrations have run.
    /// </remarks>
    public static WebApplicationBuilder AddScheduling(this WebApplicationBuilder builder)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(LedgerMigrationService)))
        {
            throw new InvalidOperationException("AddScheduling must be called after AddLedger, so that Quartz starts after the ledger's migrations.");
        }

        builder.Services.AddRangedOptions<SchedulingOptions>(SchedulingOptions.Section)
            .Validate(o => o.InstanceName is { Length: >= 1 and <= 80 } name && !string.IsNullOrWhiteSpace(name), "Scheduling:InstanceName must be 1 to 80 characters, not blank.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.InstanceId), "Scheduling:InstanceId must not be empty (AUTO makes a unique one).")
            .ValidateOnStart();
        builder.Services.AddFleetProbing();

        var scheduling = Bind<SchedulingOptions>(builder, SchedulingOptions.Section);

        // AUTO becomes one id, the same for Quartz and for the cluster membership read from its check-ins.
        var instanceId = scheduling.ResolvedInstanceId;
        builder.Services.PostConfigure<SchedulingOptions>(o => o.InstanceId = instanceId);
        builder.Services.AddSingleton<Cluster.ClusterMembership>();
        builder.Services.AddHostedService(s => s.GetRequiredService<Cluster.ClusterMembership>());
        if (!scheduling.Enabled)
        {
            return builder;
        }

        // Read at registration because the triggers are declared here; a value out of range stops
        // start-up now, with the same line its options check gives.
        var probing = Bind<ProbingOptions>(builder, ProbingOptions.Section);
        var oversight = Bind<OversightOptions>(builder, OversightOptions.Section);
        var reconciliation = Bind<ReconciliationOptions>(builder, ReconciliationOptions.Section);

        // Triggers are declared before the container exists, so the clock is the one registered so far.
        var time = builder.Services.LastOrDefault(d => d.ServiceType == typeof(TimeProvider))?.ImplementationInstance as TimeProvider ?? TimeProvider.System;
        var (dialect, connectionString) = LedgerDialects.Resolve(builder.Configuration);
        builder.Services.AddQuartz(quartz =>
        {
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

            ProbeJob.Schedule(quartz, probing);
            ProbeRetentionJob.Schedule(quartz);
            ReconciliationJob.Schedule(quartz, reconciliation);
            ActivityAuditJob.Schedule(quartz, oversight, time);
            OversightReportJob.Schedule(quartz, oversight, time);
            HourlyEvidenceJob.Schedule(quartz, oversight);
        });

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
