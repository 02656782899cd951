using Quartz;

namespace Meterai.Gateway.Scheduling;

/// <summary>
/// How every recurring job of the gateway is scheduled: a simple trigger named after the job,
/// repeating forever at an interval, with the misfire policy the job states (and explains) itself.
/// </summary>
internal static class RecurringJob
{
    /// <param name="startAt">The first firing; null fires at start.</param>
    public static void Schedule<TJob>(
        IQuartzBuilder quartz,
        JobKey key,
        TimeSpan interval,
        DateTimeOffset? startAt,
        SimpleTriggerMisfireInstruction misfire,
        string description)
        where TJob : class, IJob
    {
        ArgumentNullException.ThrowIfNull(quartz);

        // The job's interval is exported (JobMetrics), so a staleness alert scales with it.
        quartz.Services.AddSingleton(new ScheduledJob(key.Name, interval));
        quartz.ScheduleJob<TJob>(
            trigger =>
            {
                trigger.WithIdentity(key.Name);
                if (startAt is { } start)
                {
                    trigger.StartAt(start);
                }
                else
                {
                    trigger.StartNow();
                }

                trigger.WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(misfire));
            },
            job => job.WithIdentity(key).WithDescription(description));
    }

    /// <summary>One extra firing of an already scheduled job at every start (a catch-up run, say).</summary>
    public static void ScheduleOnceAtStart(IQuartzBuilder quartz, JobKey key, string triggerName)
    {
        ArgumentNullException.ThrowIfNull(quartz);
        quartz.AddTrigger(trigger => trigger
            .ForJob(key)
            .WithIdentity(triggerName)
            .StartNow()
            .WithSimpleSchedule(schedule => schedule.WithRepeatCount(0).WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)));
    }
}
