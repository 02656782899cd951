using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>The shared line's table on both ledgers: what a batch does to a row, and what a read returns.</summary>
public sealed class LinePlacesTests
{
    private static readonly DateTimeOffset Now = new(2024, 9, 1, 9, 0, 0, TimeSpan.Zero);

    private static SharedPlace Place(string key, int arrivedSecond, int dueSeconds = 2, bool served = false) =>
        new(key, Now.AddSeconds(arrivedSecond).UtcTicks, Now.AddSeconds(dueSeconds), Now.AddSeconds(dueSeconds + 30), served);

    private static async Task<SharedPlace> ReadAsync(LinePlaces places, string key) =>
        Assert.Single((await places.ChangesAsync(0, Now, CancellationToken.None)).Places, p => p.Key == key);

    [Theory]
    [InlineData(LedgerProviders.Sqlite)]
    [InlineData(LedgerProviders.Postgres)]
    public async Task WriteAsync_TwoGatewaysSawTheKey_EarliestTicketAndLatestPromise(string provider)
    {
        await using var ledger = await TestLedger.MigratedAsync(provider);
        var places = new LinePlaces(ledger.Database);

        await places.WriteAsync([Place("key-a", arrivedSecond: 0, dueSeconds: 5), Place("key-b", 1)], CancellationToken.None);
        await places.WriteAsync([Place("key-a", arrivedSecond: 3, dueSeconds: 9)], CancellationToken.None);
        await places.WriteAsync([Place("key-a", arrivedSecond: 4, dueSeconds: 1)], CancellationToken.None);

        var a = await ReadAsync(places, "key-a");
        Assert.Equal(Now.UtcTicks, a.Ticket);
        Assert.Equal(Now.AddSeconds(9), a.DueAt);
        Assert.Equal(Now.AddSeconds(39), a.KeepUntil);
        Assert.False(a.Served);
        Assert.Equal(Now.AddSeconds(1).UtcTicks, (await ReadAsync(places, "key-b")).Ticket);
    }

    [Theory]
    [InlineData(LedgerProviders.Sqlite)]
    [InlineData(LedgerProviders.Postgres)]
    public async Task WriteAsync_ServedThenAnotherGatewaysPromise_StaysServed(string provider)
    {
        await using var ledger = await TestLedger.MigratedAsync(provider);
        var places = new LinePlaces(ledger.Database);
        await places.WriteAsync([Place("key-a", 0)], CancellationToken.None);

        await places.WriteAsync([Place("key-a", 0, served: true)], CancellationToken.None);
        await places.WriteAsync([Place("key-a", 0, dueSeconds: 8)], CancellationToken.None);

        Assert.True((await ReadAsync(places, "key-a")).Served);
    }

    [Theory]
    [InlineData(LedgerProviders.Sqlite)]
    [InlineData(LedgerProviders.Postgres)]
    public async Task WriteAsync_ServedThenTakenAgainLater_StartsAnewAtTheBack(string provider)
    {
        await using var ledger = await TestLedger.MigratedAsync(provider);
        var places = new LinePlaces(ledger.Database);
        await places.WriteAsync([Place("key-a", 0, served: true)], CancellationToken.None);

        // Its purchase failed, the key was free again, and came back: a new first arrival.
        await places.WriteAsync([Place("key-a", arrivedSecond: 20, dueSeconds: 22)], CancellationToken.None);

        var again = await ReadAsync(places, "key-a");
        Assert.False(again.Served);
        Assert.Equal(Now.AddSeconds(20).UtcTicks, again.Ticket);
        Assert.Equal(Now.AddSeconds(22), again.DueAt);
    }

    [Theory]
    [InlineData(LedgerProviders.Sqlite)]
    [InlineData(LedgerProviders.Postgres)]
    public async Task ChangesAsync_RowStampedBeforeTheCursorButCommittedLater_ReadWithinTheOverlap(string provider)
    {
        await using var ledger = await TestLedger.MigratedAsync(provider);
        var places = new LinePlaces(ledger.Database);
        await places.WriteAsync([Place("key-a", 0)], CancellationToken.None);
        var (first, cursor) = await places.ChangesAsync(0, Now, CancellationToken.None);
        var stamped = await StampAsync(ledger, "key-a");
        Assert.Single(first);

        // Another gateway's batch, stamped just before key-a's but committed after that read, and an old one.
        await places.WriteAsync([Place("key-late", 1), Place("key-old", 2)], CancellationToken.None);
        await SetStampAsync(ledger, "key-late", stamped - 500);
        await SetStampAsync(ledger, "key-old", stamped - (long)LinePlaces.Overlap.TotalMilliseconds - 500);
        var (second, _) = await places.ChangesAsync(cursor, Now, CancellationToken.None);

        Assert.Equal(["key-a", "key-late"], second.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(LedgerProviders.Sqlite)]
    [InlineData(LedgerProviders.Postgres)]
    public async Task ChangesAsync_PlaceLostButAnotherServed_LeavesOutOnlyTheLost(string provider)
    {
        await using var ledger = await TestLedger.MigratedAsync(provider);
        var places = new LinePlaces(ledger.Database);
        await places.WriteAsync([Place("key-lost", 0, dueSeconds: -60), Place("key-served", 0, dueSeconds: -60, served: true), Place("key-waiting", 0)], CancellationToken.None);

        var (changes, _) = await places.ChangesAsync(0, Now, CancellationToken.None);

        Assert.Equal(["key-served", "key-waiting"], changes.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(LedgerProviders.Sqlite)]
    [InlineData(LedgerProviders.Postgres)]
    public async Task PruneAsync_RowsWhosePlaceEndedBefore_DeletedServedOrNot(string provider)
    {
        await using var ledger = await TestLedger.MigratedAsync(provider);
        var places = new LinePlaces(ledger.Database);
        await places.WriteAsync([Place("key-old", 0, dueSeconds: -400), Place("key-old-served", 0, dueSeconds: -400, served: true), Place("key-waiting", 0)], CancellationToken.None);

        var deleted = await places.PruneAsync(Now.AddMinutes(-5), CancellationToken.None);

        Assert.Equal(2, deleted);
        var (left, _) = await places.ChangesAsync(0, Now.AddMinutes(-10), CancellationToken.None);
        Assert.Equal("key-waiting", Assert.Single(left).Key);
    }

    [Fact]
    public async Task WriteAsync_TwoGatewaysWriteTheSameKeysAtOnce_NoDeadlockAndEveryKeyOnce()
    {
        await using var ledger = await TestLedger.MigratedAsync(LedgerProviders.Postgres);
        var places = new LinePlaces(ledger.Database);
        var keys = Enumerable.Range(0, 300).Select(i => $"key-{i:D3}").ToList();

        // Each batch lists the keys in another order; the statement locks them in key order whatever the list says.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            var random = new Random(writer);
            for (var round = 0; round < 15; round++)
            {
                var batch = keys.OrderBy(_ => random.Next()).Select(k => Place(k, arrivedSecond: writer, dueSeconds: round)).ToList();
                await places.WriteAsync(batch, CancellationToken.None);
            }
        })));

        var (all, _) = await places.ChangesAsync(0, Now, CancellationToken.None);
        Assert.Equal(keys.Count, all.Count);
        Assert.All(all, p => Assert.Equal(Now.UtcTicks, p.Ticket));
        Assert.All(all, p => Assert.Equal(Now.AddSeconds(14), p.DueAt));
    }

    private static async Task<long> StampAsync(TestLedger ledger, string key)
    {
        await using var connection = await ledger.Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("SELECT changed_at FROM line_places WHERE idempotency_key = @key", new { key });
    }

    private static async Task SetStampAsync(TestLedger ledger, string key, long changedAt)
    {
        await using var connection = await ledger.Database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("UPDATE line_places SET changed_at = @changedAt WHERE idempotency_key = @key", new { key, changedAt });
    }
}
