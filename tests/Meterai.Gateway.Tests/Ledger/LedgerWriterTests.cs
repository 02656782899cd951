using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Tests.Testing;
using System.Data.Common;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>The group commit on each provider: batching, one failing write failing alone, durability on return.</summary>
public abstract class LedgerWriterTests(string provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);

    private TestLedger _test = null!;
    private PurchaseLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        _test = await TestLedger.MigratedAsync(provider);
        _ledger = new PurchaseLedger(_test.Database);
    }

    public async Task DisposeAsync() => await _test.DisposeAsync();

    private static NewPurchase Purchase(int i) => new($"pur_{Guid.NewGuid():N}", $"writer-test-key-{i:D4}", "hash-a", 1, "applicant-1", T0);

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await _test.Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    [Fact]
    public async Task ClaimAsync_ManyAtOnce_CommitsThemInFewerTransactions()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _ledger.ClaimAsync(Purchase(i), CancellationToken.None)));

        Assert.All(claims, c => Assert.Equal(ClaimKind.Claimed, c.Kind));
        Assert.Equal(200, await CountAsync("SELECT COUNT(*) FROM purchases"));
        var writer = _test.Database.Writer;
        Assert.Equal(200, writer.CommittedWrites);
        Assert.True(writer.Commits < 200, $"200 writes took {writer.Commits} commits: nothing was grouped");
    }

    [Fact]
    public async Task ClaimAsync_Returned_IsVisibleToAnotherConnection()
    {
        var purchase = Purchase(1);

        await _ledger.ClaimAsync(purchase, CancellationToken.None);

        await using var other = await _test.Database.OpenAsync(CancellationToken.None);
        Assert.Equal("in_progress", await other.ExecuteScalarAsync<string>(
            "SELECT status FROM purchases WHERE purchase_id = @PurchaseId", new { purchase.PurchaseId }));
    }

    [Fact]
    public async Task WriteAsync_OneWriteFailsInABatch_FailsAloneAndTheOthersCommit()
    {
        var writer = _test.Database.Writer;
        var good = Enumerable.Range(0, 50).Select(i => _ledger.ClaimAsync(Purchase(i), CancellationToken.None)).ToList();
        var bad = writer.WriteAsync<int>(
            async session => await session.Connection.ExecuteAsync("INSERT INTO no_such_table VALUES (1)", transaction: session.Transaction),
            CancellationToken.None);
        good.AddRange(Enumerable.Range(50, 50).Select(i => _ledger.ClaimAsync(Purchase(i), CancellationToken.None)));

        await Assert.ThrowsAnyAsync<DbException>(() => bad);
        Assert.All(await Task.WhenAll(good), c => Assert.Equal(ClaimKind.Claimed, c.Kind));
        Assert.Equal(100, await CountAsync("SELECT COUNT(*) FROM purchases"));
    }

    [Fact]
    public async Task WriteAsync_CancelledBeforeItRuns_WritesNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _ledger.ClaimAsync(Purchase(1), cancelled.Token));

        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM purchases"));
    }

    [Fact]
    public async Task ClaimAsync_SameKeyRacing_OneClaimsAndTheOthersSeeItInProgress()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _ledger.ClaimAsync(
            new NewPurchase($"pur_{Guid.NewGuid():N}", "writer-test-same-key", "hash-a", 1, "applicant-1", T0), CancellationToken.None)));

        Assert.Single(claims, c => c.Kind == ClaimKind.Claimed);
        Assert.Equal(19, claims.Count(c => c.Kind == ClaimKind.InProgress));
    }
}

public sealed class LedgerWriterSqliteTests() : LedgerWriterTests(LedgerProviders.Sqlite);

public sealed class LedgerWriterPostgresTests() : LedgerWriterTests(LedgerProviders.Postgres);
