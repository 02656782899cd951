using Quartz;

namespace Meterai.Gateway.Scheduling;

/// <summary>
/// A feature's recurring jobs, declared on the one Quartz scheduler. Each feature owns its jobs and
/// hands this to <see cref="SchedulingExtensions.AddScheduling"/>, so scheduling names no feature.
/// </summary>
/// <param name="configuration">Where the feature reads its options (a value out of range stops start-up).</param>
/// <param name="time">The clock the first firings are reckoned on.</param>
internal delegate void ScheduleJobs(IQuartzBuilder quartz, IConfiguration configuration, TimeProvider time);
