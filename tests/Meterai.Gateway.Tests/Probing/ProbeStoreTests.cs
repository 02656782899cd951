using Dapper;
using Meterai.Gateway.Health;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Probing;

public abstract class ProbeStoreTests(string provider) : IAsyncLifetime
{
    // An hour boundary, so each probe's hour is obvious from its offset.
    private static readonly DateTimeOffset T0 = new(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(T0);
    private TestLedger _ledger = null!;
    private ProbeStore _store = null!;
    private ProbeHistory _history = null!;

    private LedgerDatabase Database => _ledger.Database;

    public async Task InitializeAsync()
    {
        _ledger = await TestLedger.MigratedAsync(provider);
        _store = new ProbeStore(Database, Options.Create(new ProbingOptions { RawRetentionHours = 48 }), _time, NullLogger<ProbeStore>.Instance);
        _history = new ProbeHistory(Database);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task SaveRoundAsync_Round_StoresOneRowPerDistributorInEpochMilliseconds()
    {
        await _store.SaveRoundAsync([Probe("d01", 5, healthy: true, stock: 7, latencyMs: 12), Probe("d02", 5, healthy: false, stock: null, latencyMs: 2000)], CancellationToken.None);

        var rows = (await QueryAsync<(string Id, long At, long Healthy, long? Stock, long Latency)>(
            "SELECT distributor_id, probed_at, healthy, stock, latency_ms FROM probes ORDER BY distributor_id")).ToList();
        Assert.Equal(
            [("d01", T0.AddMinutes(5).ToUnixTimeMilliseconds(), 1L, (long?)7, 12L), ("d02", T0.AddMinutes(5).ToUnixTimeMilliseconds(), 0L, null, 2000L)],
            rows);
    }

    [Fact]
    public async Task RollUpAsync_ProbesOlderThanRetention_FoldsWholeHoursAndDeletesThem()
    {
        await SeedAsync();
        _time.Advance(TimeSpan.FromHours(48) + TimeSpan.FromMinutes(65));

        var folded = await _store.RollUpAsync(CancellationToken.None);

        // The cutoff is T0+1h (48h before now, floored to the hour): the first hour folds, the second stays raw.
        Assert.Equal(3, folded);
        Assert.Equal([("d01", 70L)], (await QueryAsync<(string, long)>($"SELECT distributor_id, (probed_at - {T0.ToUnixTimeMilliseconds()}) / 60000 FROM probes")).ToList());
        Assert.Equal(
            [
                ("d01", T0.ToUnixTimeMilliseconds(), 2L, 2L, 1L, 400L, 300L),
                ("d02", T0.ToUnixTimeMilliseconds(), 1L, 0L, 0L, 2000L, 2000L),
            ],
            await RollupsAsync());
    }

    [Fact]
    public async Task RollUpAsync_RunTwice_CountsEachProbeOnce()
    {
        await SeedAsync();
        _time.Advance(TimeSpan.FromHours(48) + TimeSpan.FromMinutes(65));
        await _store.RollUpAsync(CancellationToken.None);
        var afterFirst = await RollupsAsync();

        var second = await _store.RollUpAsync(CancellationToken.None);

        Assert.Equal(0, second);
        Assert.Equal(afterFirst, await RollupsAsync());
    }

    [Fact]
    public async Task RollUpAsync_LateProbeForAFoldedHour_AddsToTheExistingRollup()
    {
        await SeedAsync();
        _time.Advance(TimeSpan.FromHours(48) + TimeSpan.FromMinutes(65));
        await _store.RollUpAsync(CancellationToken.None);
        await _store.SaveRoundAsync([Probe("d01", 50, healthy: true, stock: 0, latencyMs: 900)], CancellationToken.None);

        await _store.RollUpAsync(CancellationToken.None);

        Assert.Equal(("d01", T0.ToUnixTimeMilliseconds(), 3L, 3L, 2L, 1300L, 900L), (await RollupsAsync())[0]);
    }

    [Fact]
    public async Task RollUpAsync_NothingOldEnough_ChangesNothing()
    {
        await SeedAsync();
        _time.Advance(TimeSpan.FromHours(47));

        Assert.Equal(0, await _store.RollUpAsync(CancellationToken.None));
        Assert.Equal(4, await ScalarAsync<long>("SELECT COUNT(*) FROM probes"));
        Assert.Empty(await RollupsAsync());
    }

    [Fact]
    public async Task GetSummaryAsync_RawAndRolledUp_EqualsWhatWasStored()
    {
        await SeedAsync();
        _time.Advance(TimeSpan.FromHours(48) + TimeSpan.FromMinutes(65));
        await _store.RollUpAsync(CancellationToken.None);

        var summary = await _history.GetSummaryAsync(T0, T0.AddHours(2));

        // d01: 100 ms and 300 ms (stock 0) rolled up, 2000 ms unhealthy still raw.
        Assert.Equal(new ProbeSummary("d01", 3, 2, 1, 800, 2000), summary["d01"]);
        Assert.Equal(new ProbeSummary("d02", 1, 0, 0, 2000, 2000), summary["d02"]);
        Assert.Equal(2.0 / 3, summary["d01"].Availability, precision: 9);
    }

    [Fact]
    public async Task GetSummaryAsync_WindowAfterTheRolledUpHour_CountsOnlyProbesInside()
    {
        await SeedAsync();
        _time.Advance(TimeSpan.FromHours(48) + TimeSpan.FromMinutes(65));
        await _store.RollUpAsync(CancellationToken.None);

        var summary = await _history.GetSummaryAsync(T0.AddHours(1), T0.AddHours(2));

        Assert.Equal(["d01"], summary.Keys);
        Assert.Equal(new ProbeSummary("d01", 1, 0, 0, 2000, 2000), summary["d01"]);
    }

    [Fact]
    public async Task GetSummaryAsync_RawOnly_MatchesTheRoundsStored()
    {
        await SeedAsync();

        var summary = await _history.GetSummaryAsync(T0.AddMinutes(5), T0.AddMinutes(11));

        Assert.Equal(new ProbeSummary("d01", 2, 2, 1, 200, 300), summary["d01"]);
        Assert.False(summary.ContainsKey("d02"));
    }

    /// <summary>Hour T0: d01 twice (one sold out), d02 once unhealthy. Hour T0+1h: d01 once unhealthy.</summary>
    private async Task SeedAsync()
    {
        await _store.SaveRoundAsync([Probe("d01", 5, healthy: true, stock: 10, latencyMs: 100)], CancellationToken.None);
        await _store.SaveRoundAsync([Probe("d01", 10, healthy: true, stock: 0, latencyMs: 300)], CancellationToken.None);
        await _store.SaveRoundAsync([Probe("d02", 20, healthy: false, stock: null, latencyMs: 2000)], CancellationToken.None);
        await _store.SaveRoundAsync([Probe("d01", 70, healthy: false, stock: null, latencyMs: 2000)], CancellationToken.None);
    }

    private static ProbeResult Probe(string id, int minute, bool healthy, int? stock, int latencyMs) =>
        new(id, T0.AddMinutes(minute), healthy, stock, TimeSpan.FromMilliseconds(latencyMs));

    private async Task<List<(string, long, long, long, long, long, long)>> RollupsAsync() =>
        (await QueryAsync<(string, long, long, long, long, long, long)>(
            "SELECT distributor_id, hour_start, probes, healthy_probes, sold_out_probes, latency_ms_total, latency_ms_max FROM probe_rollups ORDER BY distributor_id, hour_start")).ToList();

    private async Task<IEnumerable<T>> QueryAsync<T>(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await connection.QueryAsync<T>(sql);
    }

    private async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql);
    }
}

public sealed class ProbeStoreSqliteTests() : ProbeStoreTests(LedgerProviders.Sqlite);

public sealed class ProbeStorePostgresTests() : ProbeStoreTests(LedgerProviders.Postgres);
