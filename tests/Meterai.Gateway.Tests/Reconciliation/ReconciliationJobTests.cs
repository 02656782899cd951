using Meterai.Gateway.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Meterai.Gateway.Tests.Reconciliation;

public sealed class ReconciliationJobTests
{
    [Fact]
    public async Task Schedule_Options_TriggerRepeatsEveryIntervalAndFiresOnceAfterMisfire()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQuartz(quartz => ReconciliationJob.Schedule(quartz, new ReconciliationOptions { IntervalSeconds = 45 }));
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();

        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(await scheduler.GetTrigger(new TriggerKey(ReconciliationJob.Key.Name)));
        var job = await scheduler.GetJobDetail(ReconciliationJob.Key);

        Assert.Equal(TimeSpan.FromSeconds(45), trigger.RepeatInterval);
        Assert.Equal(SimpleTriggerMisfireInstruction.NowWithRemainingCount, (SimpleTriggerMisfireInstruction)trigger.MisfireInstructionCode);
        Assert.Equal(typeof(ReconciliationJob), job?.JobType.Type);
        Assert.True(job?.ConcurrentExecutionDisallowed);
        await scheduler.Shutdown();
    }
}
