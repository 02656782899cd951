using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Scheduling;
using Meterai.Gateway.Tests.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace Meterai.Gateway.Tests.Scheduling;

public sealed class SchedulingTests
{
    [Fact]
    public async Task Start_DefaultSettings_RunsAPersistentUnclusteredScheduler()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var scheduler = gateway.Services.GetRequiredService<IScheduler>();

        var metadata = await scheduler.GetMetadata();

        Assert.Equal(SchedulerStatus.Running, metadata.Status);
        Assert.True(metadata.JobStorePersistent);
        Assert.False(metadata.JobStoreClustered);
        Assert.Equal("meterai-gateway", metadata.SchedulerName);
    }

    [Fact]
    public async Task Start_SqliteLedger_PutsQuartzTablesInTheLedgerFileAndKeepsWal()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

        Assert.Equal(1, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'QRTZ_TRIGGERS'"));
        Assert.Equal(1, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'probe'"));
        Assert.Equal(1, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'purchases'"));
        Assert.Equal("wal", await gateway.QueryLedgerAsync<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Start_ProbeJob_RunsTheFirstRoundAtStartAndStoresIt()
    {
        // The harness has already waited for every distributor's first probe, and only the job probes.
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02")]);

        Assert.All(gateway.Fleet.Distributors, d => Assert.True(gateway.State(d.Id).Healthy));
        await Eventually.TrueAsync(
            () => gateway.QueryLedgerAsync<long>("SELECT COUNT(DISTINCT distributor_id) FROM probes").GetAwaiter().GetResult() == 2,
            "the first round in probes");
    }

    [Fact]
    public async Task Start_Triggers_StateTheirMisfirePolicyAndInterval()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var scheduler = gateway.Services.GetRequiredService<IScheduler>();

        var probe = Assert.IsAssignableFrom<ISimpleTrigger>(await scheduler.GetTrigger(new TriggerKey(ProbeJob.Key.Name)));
        var retention = Assert.IsAssignableFrom<ISimpleTrigger>(await scheduler.GetTrigger(new TriggerKey(ProbeRetentionJob.Key.Name)));

        Assert.Equal(SimpleTriggerMisfireInstruction.NextWithRemainingCount, probe.MisfireInstruction);
        Assert.Equal(TimeSpan.FromHours(1), probe.RepeatInterval);
        Assert.Equal(SimpleTriggerMisfireInstruction.NowWithRemainingCount, retention.MisfireInstruction);
        Assert.True((await scheduler.GetJobDetail(ProbeJob.Key))!.ConcurrentExecutionDisallowed);
    }

    [Fact]
    public async Task Start_SecondStartOnTheSameLedger_ProbesAtStartAgain()
    {
        var directory = Directory.CreateTempSubdirectory("meterai-scheduling-test-");
        var ledger = $"Data Source={Path.Combine(directory.FullName, "ledger.db")}";
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = ledger };
        try
        {
            await (await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings)).DisposeAsync();

            // The stored trigger last fired at the first start and is due in an hour; the new start replaces it and probes now.
            await using var second = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings);

            Assert.True(second.State("d01").Healthy);
            await using var connection = new SqliteConnection(ledger);
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'probe'"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void AddScheduling_BeforeAddLedger_LedgerMigrationsStillStartFirst()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddScheduling();

        builder.AddLedger();

        var hosted = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();
        Assert.Equal(0, hosted.IndexOf(typeof(LedgerMigrationService)));
        Assert.Contains(typeof(QuartzHostedService), hosted);
    }

    [Fact]
    public void AddScheduling_Disabled_RegistersNoScheduler()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Scheduling:Enabled"] = "false";

        builder.AddScheduling();

        Assert.DoesNotContain(builder.Services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(QuartzHostedService));
    }
}
