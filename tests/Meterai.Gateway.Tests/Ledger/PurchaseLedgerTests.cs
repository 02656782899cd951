using System.Data.Common;
using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>The ledger's SQL on each provider; the derived classes at the end choose which.</summary>
public abstract class PurchaseLedgerTests(string provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);

    private TestLedger _test = null!;
    private PurchaseLedger _ledger = null!;

    private LedgerDatabase Database => _test.Database;

    public async Task InitializeAsync()
    {
        _test = await TestLedger.MigratedAsync(provider);
        _ledger = new PurchaseLedger(Database);
    }

    public async Task DisposeAsync() => await _test.DisposeAsync();

    private LedgerMigrator Migrator() => new(Database, TimeProvider.System, NullLogger<LedgerMigrator>.Instance);

    private static NewPurchase Purchase(string key, string hash = "hash-a", string? purchaseId = null, DateTimeOffset? at = null) =>
        new(purchaseId ?? $"pur_{Guid.NewGuid():N}", key, hash, 2, "applicant-1", at ?? T0);

    private async Task<T?> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }

    private static PurchaseCompletion Completion(PurchaseTry purchaseTry, int attempt, string status = PurchaseStatus.Issued, int responseStatus = 201, string body = """{"status":"issued"}""") =>
        new(
            purchaseTry,
            new PurchaseView(purchaseTry.PurchaseId, status, "d01", "ord_1", 2, 20_000, ["MT-1", "MT-2"]),
            attempt,
            AttemptClassifier.LedgerName(AttemptOutcome.Issued),
            HttpStatus: 201,
            Ambiguous: false,
            responseStatus,
            body,
            T0.AddSeconds(5));

    [Fact]
    public async Task MigrateAsync_SecondRun_AppliesNothing()
    {
        var second = await Migrator().MigrateAsync(CancellationToken.None);

        Assert.Empty(second);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = '0001_purchases'"));
    }

    [Fact]
    public async Task MigrateAsync_FreshDatabase_AppliesEveryScriptOnce()
    {
        await using var fresh = await TestLedger.CreateAsync(provider);

        var first = await fresh.MigrateAsync();
        var second = await fresh.MigrateAsync();

        // Every embedded script, in order, each once.
        Assert.Equal("0001_purchases", first[0]);
        Assert.Equal(first.Order(StringComparer.Ordinal), first);
        Assert.Equal(first.Count, first.Distinct().Count());
        Assert.Empty(second);
    }

    [Fact]
    public async Task IsReachableAsync_MigratedDatabase_ReturnsTrue()
    {
        Assert.True(await _ledger.IsReachableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_NewKey_ClaimedAndRowInProgress()
    {
        var purchase = Purchase("key-new-0001");

        var result = await _ledger.ClaimAsync(purchase, CancellationToken.None);

        Assert.Equal(ClaimKind.Claimed, result.Kind);
        Assert.Equal(purchase.PurchaseId, result.PurchaseId);
        Assert.Equal(0, result.PreviousAttempts);
        var record = await _ledger.FindAsync(purchase.PurchaseId, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(PurchaseStatus.InProgress, record.Status);
        Assert.Equal("key-new-0001", record.IdempotencyKey);
        Assert.Equal("hash-a", record.RequestHash);
        Assert.Equal(2, record.Quantity);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), record.CreatedAt);
    }

    [Fact]
    public async Task ClaimAsync_SameKeyAndHashWhileInProgress_InProgress()
    {
        await _ledger.ClaimAsync(Purchase("key-busy-0001"), CancellationToken.None);

        var result = await _ledger.ClaimAsync(Purchase("key-busy-0001"), CancellationToken.None);

        Assert.Equal(ClaimKind.InProgress, result.Kind);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM purchases"));
    }

    [Fact]
    public async Task ClaimAsync_SameKeyOtherHash_KeyReusedWithOtherBody()
    {
        await _ledger.ClaimAsync(Purchase("key-reuse-0001", "hash-a"), CancellationToken.None);

        var result = await _ledger.ClaimAsync(Purchase("key-reuse-0001", "hash-b"), CancellationToken.None);

        Assert.Equal(ClaimKind.KeyReusedWithOtherBody, result.Kind);
    }

    [Fact]
    public async Task ClaimAsync_SameKeyOtherHashAfterCompletion_KeyReusedWithOtherBody()
    {
        var first = Purchase("key-reuse-0002", "hash-a");
        await _ledger.ClaimAsync(first, CancellationToken.None);
        await _ledger.StartAttemptAsync(first.Try, 1, "d01", T0, CancellationToken.None);
        await _ledger.CompleteAsync(Completion(first.Try, 1), CancellationToken.None);

        var result = await _ledger.ClaimAsync(Purchase("key-reuse-0002", "hash-b"), CancellationToken.None);

        Assert.Equal(ClaimKind.KeyReusedWithOtherBody, result.Kind);
    }

    [Fact]
    public async Task ClaimAsync_AfterComplete_ReplaysStoredAnswer()
    {
        var first = Purchase("key-replay-0001");
        await _ledger.ClaimAsync(first, CancellationToken.None);
        await _ledger.StartAttemptAsync(first.Try, 1, "d01", T0, CancellationToken.None);
        const string Body = """{"purchaseId":"x","status":"issued","serials":["MT-1","MT-2"]}""";
        await _ledger.CompleteAsync(Completion(first.Try, 1, responseStatus: 201, body: Body), CancellationToken.None);

        var result = await _ledger.ClaimAsync(Purchase("key-replay-0001"), CancellationToken.None);

        Assert.Equal(ClaimKind.Replay, result.Kind);
        Assert.Equal(first.PurchaseId, result.PurchaseId);
        Assert.Equal(201, result.ReplayStatus);
        Assert.Equal(Body, result.ReplayBody);
    }

    [Fact]
    public async Task ClaimAsync_AfterPendingComplete_Replays202()
    {
        var first = Purchase("key-replay-0002");
        await _ledger.ClaimAsync(first, CancellationToken.None);
        await _ledger.StartAttemptAsync(first.Try, 1, "d01", T0, CancellationToken.None);
        await _ledger.CompleteAsync(Completion(first.Try, 1, PurchaseStatus.Pending, 202, """{"status":"pending"}"""), CancellationToken.None);

        var result = await _ledger.ClaimAsync(Purchase("key-replay-0002"), CancellationToken.None);

        Assert.Equal(ClaimKind.Replay, result.Kind);
        Assert.Equal(202, result.ReplayStatus);
        Assert.Equal("""{"status":"pending"}""", result.ReplayBody);
    }

    [Fact]
    public async Task ClaimAsync_AfterRelease_ClaimedAgainWithSamePurchaseIdAndAttempts()
    {
        var first = Purchase("key-retry-0001");
        await _ledger.ClaimAsync(first, CancellationToken.None);
        await _ledger.StartAttemptAsync(first.Try, 1, "d01", T0, CancellationToken.None);
        await _ledger.FinishAttemptAsync(first.Try, 1, "sold_out", 409, T0.AddSeconds(1), CancellationToken.None);
        await _ledger.StartAttemptAsync(first.Try, 2, "d02", T0.AddSeconds(1), CancellationToken.None);
        await _ledger.FinishAttemptAsync(first.Try, 2, "refused", 503, T0.AddSeconds(2), CancellationToken.None);
        await _ledger.ReleaseAsync(first.Try, T0.AddSeconds(2), CancellationToken.None);
        Assert.Equal(PurchaseStatus.Unavailable, (await _ledger.FindAsync(first.PurchaseId, CancellationToken.None))?.Status);

        var retry = Purchase("key-retry-0001", at: T0.AddMinutes(1));
        var result = await _ledger.ClaimAsync(retry, CancellationToken.None);

        Assert.Equal(ClaimKind.Claimed, result.Kind);
        Assert.Equal(first.PurchaseId, result.PurchaseId);
        Assert.NotEqual(retry.PurchaseId, result.PurchaseId);
        Assert.Equal(2, result.PreviousAttempts);
        var record = await _ledger.FindAsync(first.PurchaseId, CancellationToken.None);
        Assert.Equal(PurchaseStatus.InProgress, record?.Status);
        Assert.Equal(T0.AddMinutes(1).ToUnixTimeMilliseconds(), record?.UpdatedAt);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM purchases"));
    }

    [Fact]
    public async Task ClaimAsync_ReclaimedAfterRelease_SecondClaimInProgress()
    {
        var first = Purchase("key-retry-0002");
        await _ledger.ClaimAsync(first, CancellationToken.None);
        await _ledger.ReleaseAsync(first.Try, T0, CancellationToken.None);
        Assert.Equal(ClaimKind.Claimed, (await _ledger.ClaimAsync(Purchase("key-retry-0002"), CancellationToken.None)).Kind);

        var result = await _ledger.ClaimAsync(Purchase("key-retry-0002"), CancellationToken.None);

        Assert.Equal(ClaimKind.InProgress, result.Kind);
    }

    [Fact]
    public async Task ClaimAsync_TwentyConcurrentClaimsOfOneKey_ExactlyOneClaimed()
    {
        var purchases = Enumerable.Range(0, 20).Select(_ => Purchase("key-race-0001")).ToArray();

        var results = await Task.WhenAll(purchases.Select(p => Task.Run(() => _ledger.ClaimAsync(p, CancellationToken.None))));

        var claimed = Assert.Single(results, r => r.Kind == ClaimKind.Claimed);
        Assert.All(results.Where(r => r.Kind != ClaimKind.Claimed), r => Assert.Equal(ClaimKind.InProgress, r.Kind));
        Assert.Equal(claimed.PurchaseId, await ScalarAsync<string>("SELECT purchase_id FROM purchases WHERE idempotency_key = 'key-race-0001'"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM purchases"));
    }

    [Fact]
    public async Task ClaimAsync_TwentyConcurrentRetriesAfterRelease_ExactlyOneClaimed()
    {
        var first = Purchase("key-race-0002");
        await _ledger.ClaimAsync(first, CancellationToken.None);
        await _ledger.ReleaseAsync(first.Try, T0, CancellationToken.None);
        var retries = Enumerable.Range(0, 20).Select(_ => Purchase("key-race-0002")).ToArray();

        var results = await Task.WhenAll(retries.Select(p => Task.Run(() => _ledger.ClaimAsync(p, CancellationToken.None))));

        var claimed = Assert.Single(results, r => r.Kind == ClaimKind.Claimed);
        Assert.Equal(first.PurchaseId, claimed.PurchaseId);
        Assert.All(results.Where(r => r.Kind != ClaimKind.Claimed), r => Assert.Equal(ClaimKind.InProgress, r.Kind));
    }

    [Fact]
    public async Task StartAttemptAsync_Always_WritesAttemptRowAndUpdatesPurchase()
    {
        var purchase = Purchase("key-attempt-0001");
        await _ledger.ClaimAsync(purchase, CancellationToken.None);

        await _ledger.StartAttemptAsync(purchase.Try, 1, "d07", T0.AddSeconds(3), CancellationToken.None);

        await using var connection = await Database.OpenAsync(CancellationToken.None);
        var row = await connection.QuerySingleAsync<(string DistributorId, long StartedAt, long? FinishedAt, string? Outcome, long? HttpStatus)>(
            "SELECT distributor_id, started_at, finished_at, outcome, http_status FROM purchase_attempts WHERE purchase_id = @PurchaseId AND attempt = 1",
            new { purchase.PurchaseId });
        Assert.Equal("d07", row.DistributorId);
        Assert.Equal(T0.AddSeconds(3).ToUnixTimeMilliseconds(), row.StartedAt);
        Assert.Null(row.FinishedAt);
        Assert.Null(row.Outcome);
        Assert.Null(row.HttpStatus);
        var record = await _ledger.FindAsync(purchase.PurchaseId, CancellationToken.None);
        Assert.Equal("d07", record?.DistributorId);
        Assert.Equal(1, record?.Attempts);
    }

    [Fact]
    public async Task FinishAttemptAsync_StartedAttempt_WritesOutcomeAndStatus()
    {
        var purchase = Purchase("key-attempt-0002");
        await _ledger.ClaimAsync(purchase, CancellationToken.None);
        await _ledger.StartAttemptAsync(purchase.Try, 1, "d01", T0, CancellationToken.None);
        await _ledger.StartAttemptAsync(purchase.Try, 2, "d02", T0.AddSeconds(1), CancellationToken.None);

        await _ledger.FinishAttemptAsync(purchase.Try, 1, "sold_out", 409, T0.AddSeconds(1), CancellationToken.None);
        await _ledger.FinishAttemptAsync(purchase.Try, 2, "refused", null, T0.AddSeconds(2), CancellationToken.None);

        await using var connection = await Database.OpenAsync(CancellationToken.None);
        var rows = (await connection.QueryAsync<(long Attempt, string DistributorId, long? FinishedAt, string? Outcome, long? HttpStatus)>(
            "SELECT attempt, distributor_id, finished_at, outcome, http_status FROM purchase_attempts WHERE purchase_id = @PurchaseId ORDER BY attempt",
            new { purchase.PurchaseId })).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal((1L, "d01", T0.AddSeconds(1).ToUnixTimeMilliseconds(), "sold_out", 409L), rows[0]);
        Assert.Equal((2L, "d02", T0.AddSeconds(2).ToUnixTimeMilliseconds(), "refused", (long?)null), rows[1]);
        Assert.Equal(2, (await _ledger.FindAsync(purchase.PurchaseId, CancellationToken.None))?.Attempts);
    }

    [Fact]
    public async Task StartAttemptAsync_SameAttemptTwice_Throws()
    {
        var purchase = Purchase("key-attempt-0003");
        await _ledger.ClaimAsync(purchase, CancellationToken.None);
        await _ledger.StartAttemptAsync(purchase.Try, 1, "d01", T0, CancellationToken.None);

        await Assert.ThrowsAnyAsync<DbException>(() => _ledger.StartAttemptAsync(purchase.Try, 1, "d02", T0, CancellationToken.None));

        Assert.Equal("d01", await ScalarAsync<string>("SELECT distributor_id FROM purchases WHERE purchase_id = @PurchaseId", new { purchase.PurchaseId }));
    }

    [Fact]
    public async Task CompleteAsync_Always_WritesPurchaseAndAttempt()
    {
        var purchase = Purchase("key-complete-0001");
        await _ledger.ClaimAsync(purchase, CancellationToken.None);
        await _ledger.StartAttemptAsync(purchase.Try, 1, "d01", T0, CancellationToken.None);

        await _ledger.CompleteAsync(Completion(purchase.Try, 1), CancellationToken.None);

        var record = await _ledger.FindAsync(purchase.PurchaseId, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(PurchaseStatus.Issued, record.Status);
        Assert.Equal("ord_1", record.OrderId);
        Assert.Equal(20_000, record.Amount);
        Assert.Equal("""["MT-1","MT-2"]""", record.Serials);
        Assert.False(record.Ambiguous);
        Assert.Equal(201, record.ResponseStatus);
        Assert.Equal(T0.AddSeconds(5).ToUnixTimeMilliseconds(), record.UpdatedAt);
        Assert.Equal("issued", await ScalarAsync<string>(
            "SELECT outcome FROM purchase_attempts WHERE purchase_id = @PurchaseId AND attempt = 1", new { purchase.PurchaseId }));
    }

    [Fact]
    public async Task FindAsync_UnknownId_ReturnsNull()
    {
        Assert.Null(await _ledger.FindAsync("pur_unknown", CancellationToken.None));
    }
}

public sealed class PurchaseLedgerSqliteTests() : PurchaseLedgerTests(LedgerProviders.Sqlite)
{
    [Fact]
    public async Task MigrateAsync_Sqlite_UsesWriteAheadLog()
    {
        await using var ledger = await TestLedger.MigratedAsync(LedgerProviders.Sqlite);
        await using var connection = await ledger.Database.OpenAsync(CancellationToken.None);

        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }
}

public sealed class PurchaseLedgerPostgresTests() : PurchaseLedgerTests(LedgerProviders.Postgres)
{
    [Fact]
    public async Task MigrateAsync_ThreeGatewaysAtOnceOnOneDatabase_EachScriptAppliedOnce()
    {
        await using var fresh = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        var migrators = Enumerable.Range(0, 3)
            .Select(_ => new LedgerMigrator(new LedgerDatabase(new PostgresLedgerDialect(), fresh.ConnectionString), TimeProvider.System, NullLogger<LedgerMigrator>.Instance))
            .ToList();
        using var start = new SemaphoreSlim(0);

        var runs = migrators.Select(m => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await m.MigrateAsync(CancellationToken.None);
        })).ToList();
        start.Release(3);
        var applied = await Task.WhenAll(runs);

        // One gateway applied everything under the advisory lock; the others found it done.
        Assert.Single(applied, a => a.Count > 0);
        Assert.Equal(2, applied.Count(a => a.Count == 0));
        await using var connection = await fresh.Database.OpenAsync(CancellationToken.None);
        Assert.Equal(
            (long)applied.Single(a => a.Count > 0).Count,
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
    }
}
