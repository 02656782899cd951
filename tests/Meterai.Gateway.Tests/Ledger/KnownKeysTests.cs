using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Ledger;

public sealed class KnownKeysTests
{
    private static KnownKeys Loaded(int capacity)
    {
        var keys = new KnownKeys(capacity);
        keys.MarkLoaded();
        return keys;
    }

    [Fact]
    public void MightContain_NotLoadedYet_TrueForEveryKey()
    {
        var keys = new KnownKeys(1_000);

        Assert.True(keys.MightContain("never-added-key"));
    }

    [Fact]
    public void MightContain_KeysAdded_NeverMissesOne()
    {
        var keys = Loaded(20_000);
        var added = Enumerable.Range(0, 20_000).Select(i => $"applicant-key-{i:D6}").ToList();
        added.ForEach(keys.Add);

        Assert.All(added, k => Assert.True(keys.MightContain(k), k));
    }

    [Fact]
    public void MightContain_FilterFull_FalsePositivesAboutOnePercent()
    {
        var keys = Loaded(20_000);
        for (var i = 0; i < 20_000; i++)
        {
            keys.Add($"applicant-key-{i:D6}");
        }

        var falsePositives = Enumerable.Range(0, 20_000).Count(i => keys.MightContain($"other-key-{i:D6}"));

        Assert.InRange(falsePositives, 0, 20_000 * 3 / 100);
    }

    [Fact]
    public void Add_PastTwoFilters_ForgetsTheOldestAndKeepsTheRecent()
    {
        var keys = Loaded(1_000);
        for (var i = 0; i < 3_000; i++)
        {
            keys.Add($"applicant-key-{i:D6}");
        }

        Assert.All(Enumerable.Range(2_000, 1_000), i => Assert.True(keys.MightContain($"applicant-key-{i:D6}")));
        var oldestRemembered = Enumerable.Range(0, 1_000).Count(i => keys.MightContain($"applicant-key-{i:D6}"));
        Assert.True(oldestRemembered < 200, $"{oldestRemembered} of the oldest 1000 keys still look known");
    }

    [Fact]
    public async Task ExecuteAsync_LedgerHoldsKeys_LoadsThemAndOnlyThem()
    {
        await using var test = await TestLedger.MigratedAsync(LedgerProviders.Sqlite);
        var ledger = new PurchaseLedger(test.Database);
        var at = new DateTimeOffset(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 50; i++)
        {
            await ledger.ClaimAsync(new NewPurchase($"pur_{Guid.NewGuid():N}", $"stored-key-{i:D3}", "hash", 1, "applicant", at.AddSeconds(i)), CancellationToken.None);
        }

        // A fresh database object, as after a restart: nothing in memory yet.
        await using var restarted = new LedgerDatabase(new SqliteLedgerDialect(), test.ConnectionString);
        using var refresher = new KnownKeysRefresher(restarted, Options.Create(new LedgerOptions()), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(), NullLogger<KnownKeysRefresher>.Instance);
        Assert.False(restarted.KnownKeys.IsLoaded);

        await refresher.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => restarted.KnownKeys.IsLoaded, "keys loaded");
        await refresher.StopAsync(CancellationToken.None);

        Assert.All(Enumerable.Range(0, 50), i => Assert.True(restarted.KnownKeys.MightContain($"stored-key-{i:D3}")));
        Assert.False(restarted.KnownKeys.MightContain("a-key-nobody-used"));
    }

    [Fact]
    public async Task ExecuteAsync_LedgerHoldsMoreThanTwoFilters_LoadsTheMostRecentKeys()
    {
        await using var test = await TestLedger.MigratedAsync(LedgerProviders.Sqlite);
        var ledger = new PurchaseLedger(test.Database);
        var at = new DateTimeOffset(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, 3_000).Select(i => ledger.ClaimAsync(
            new NewPurchase($"pur_{Guid.NewGuid():N}", $"stored-key-{i:D4}", "hash", 1, "applicant", at.AddSeconds(i)), CancellationToken.None)));

        // Two filters of 1000 hold 1999 keys without rotating: the newest 1999, not the oldest.
        var options = new LedgerOptions { KnownKeysCapacity = 1_000 };
        await using var restarted = new LedgerDatabase(new SqliteLedgerDialect(), test.ConnectionString, options);
        using var refresher = new KnownKeysRefresher(restarted, Options.Create(options), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(), NullLogger<KnownKeysRefresher>.Instance);
        await refresher.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => restarted.KnownKeys.IsLoaded, "keys loaded");
        await refresher.StopAsync(CancellationToken.None);

        Assert.All(Enumerable.Range(1_001, 1_999), i => Assert.True(restarted.KnownKeys.MightContain($"stored-key-{i:D4}"), $"stored-key-{i:D4}"));
    }
}
