using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Meterai.Gateway.Tests.Scheduling;

/// <summary>Quartz on a PostgreSQL ledger: one clustered schedule that several gateways share.</summary>
public sealed class ClusteredSchedulingTests
{
    [Fact]
    public async Task Start_PostgresLedger_RunsAClusteredSchedulerThatChecksIn()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], ledgerProvider: LedgerProviders.Postgres);
        var scheduler = gateway.Services.GetRequiredService<IScheduler>();

        var metadata = await scheduler.GetMetadata();

        Assert.True(metadata.JobStoreClustered);
        Assert.Equal("meterai-gateway", metadata.SchedulerName);
        Assert.NotEqual("AUTO", metadata.SchedulerInstanceId);
        Assert.Equal(1L, await gateway.QueryLedgerAsync<long>(
            "SELECT COUNT(*) FROM qrtz_scheduler_state WHERE instance_name = @id", new { id = metadata.SchedulerInstanceId }));
        Assert.Equal(1L, await gateway.QueryLedgerAsync<long>("SELECT COUNT(*) FROM qrtz_triggers WHERE trigger_name = 'probe'"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("301")]
    public async Task Start_CheckinIntervalOutOfRange_FailsNamingTheKeyAndRange(string seconds)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?> { ["Scheduling:CheckinIntervalSeconds"] = seconds }));

        Assert.Contains("Scheduling:CheckinIntervalSeconds must be from 1 to 300", ex.Message, StringComparison.Ordinal);
    }
}
