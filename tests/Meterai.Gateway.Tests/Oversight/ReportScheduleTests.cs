using Dapper;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>Scheduled reports run on fixed boundaries (00:00 WIB by default) and catch up after downtime.</summary>
public sealed class ReportScheduleTests
{
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    [Fact]
    public void NextEndAfter_DefaultOptions_IsTheNextMidnightInJakarta()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 10, 17, 0, TimeSpan.Zero));
        var schedule = new ReportSchedule(new OversightOptions());

        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 0, 0, Wib), schedule.NextEndAfter(clock.GetUtcNow()));

        // 16:59 UTC is 23:59 WIB: still the same day; one minute later a new day has begun.
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 16, 59, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 0, 0, Wib), schedule.NextEndAfter(clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 0, 0, 0, Wib), schedule.NextEndAfter(clock.GetUtcNow()));
    }

    [Fact]
    public void EndedBetween_ThreeDaysDown_ReturnsTheThreeMissedDaysOldestFirst()
    {
        var schedule = new ReportSchedule(new OversightOptions { ReportUtcOffsetHours = 7, ReportBoundaryHour = 6, ReportIntervalHours = 24 });
        var lastReported = new DateTimeOffset(2026, 11, 27, 6, 0, 0, Wib);
        var clock = new FakeTimeProvider(lastReported);
        clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(5));

        var due = schedule.EndedBetween(lastReported, clock.GetUtcNow(), limit: 31);

        Assert.Equal(
            [new DateTimeOffset(2026, 11, 28, 6, 0, 0, Wib), new DateTimeOffset(2026, 11, 29, 6, 0, 0, Wib), new DateTimeOffset(2026, 11, 30, 6, 0, 0, Wib)],
            due.Select(p => p.To));
        Assert.All(due, p => Assert.Equal(TimeSpan.FromDays(1), p.To - p.From));
    }

    [Theory]
    [InlineData("Oversight:ReportUtcOffsetHours", "15", "Oversight:ReportUtcOffsetHours must be from -12 to 14")]
    [InlineData("Oversight:ReportBoundaryHour", "24", "Oversight:ReportBoundaryHour must be from 0 to 23")]
    [InlineData("Oversight:ReportCatchUpPeriods", "0", "Oversight:ReportCatchUpPeriods must be from 1 to 366")]
    [InlineData("Oversight:EvidenceSampleSeconds", "1", "Oversight:EvidenceSampleSeconds must be from 5 to 3600")]
    public async Task Start_ScheduleOptionOutOfRange_RefusesWithOneLineNamingTheKey(string key, string value, string message)
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(ex.Failures, f => f.StartsWith(message, StringComparison.Ordinal) && !f.Contains('\n', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ReportTrigger_FiresOnTheNextBoundaryNotADayAfterStart()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var scheduler = gateway.Services.GetRequiredService<IScheduler>();
        var startedAt = TimeProvider.System.GetUtcNow();

        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(await scheduler.GetTrigger(new TriggerKey(OversightReportJob.Key.Name)));

        var expected = new ReportSchedule(new OversightOptions()).NextEndAfter(startedAt);
        Assert.Equal(0, expected.ToOffset(Wib).Hour);
        Assert.Equal(expected, trigger.NextFireTimeUtc);
        Assert.Equal(TimeSpan.FromDays(1), trigger.RepeatInterval);
        Assert.Equal(SimpleTriggerMisfireInstruction.NextWithRemainingCount, trigger.MisfireInstruction);
    }

    [Fact]
    public async Task Restart_PeriodsEndedWhileDown_BuildsTheirReportsAtStart()
    {
        var directory = Directory.CreateTempSubdirectory("meterai-report-schedule-test-");
        var ledger = $"Data Source={Path.Combine(directory.FullName, "ledger.db")}";
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = ledger };

        // The ledger is created at 10:00 WIB on 20 November; the gateway then stays down for two and a half days.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 0, Wib));
        try
        {
            await (await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings, services: s => s.AddSingleton<TimeProvider>(clock))).DisposeAsync();
            await using (var connection = new SqliteConnection(ledger))
            {
                Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reports"));
            }

            clock.Advance(TimeSpan.FromHours(60));
            await using var second = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings, services: s => s.AddSingleton<TimeProvider>(clock));

            var reports = second.Services.GetRequiredService<ReportBuilder>();
            await Eventually.TrueAsync(() => reports.ListAsync(CancellationToken.None).GetAwaiter().GetResult().Count == 2, "two catch-up reports");
            var periods = (await reports.ListAsync(CancellationToken.None)).OrderBy(r => r.From).ToList();
            Assert.Equal(
                [(new DateTimeOffset(2026, 11, 20, 0, 0, 0, Wib), new DateTimeOffset(2026, 11, 21, 0, 0, 0, Wib)),
                 (new DateTimeOffset(2026, 11, 21, 0, 0, 0, Wib), new DateTimeOffset(2026, 11, 22, 0, 0, 0, Wib))],
                periods.Select(r => (r.From, r.To)));

            // Idempotent: another catch-up run finds nothing left to build.
            var job = ActivatorUtilities.CreateInstance<OversightReportJob>(second.Services);
            Assert.Equal(0, await job.CatchUpAsync(CancellationToken.None));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }
}
