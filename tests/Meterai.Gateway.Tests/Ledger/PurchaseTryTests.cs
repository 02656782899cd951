using Dapper;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>
/// A purchase's tries on a real SQLite ledger: a retried key starts afresh, every live-path write
/// is fenced by its try, and what precedes a charge is synced to disk.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public sealed class PurchaseTryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"meterai-try-tests-{Guid.NewGuid():N}");
    private readonly LedgerDatabase _database;
    private readonly PurchaseLedger _ledger;
    private readonly ReconciliationLedger _reconciliation;

    public PurchaseTryTests()
    {
        Directory.CreateDirectory(_directory);
        _database = new LedgerDatabase(new SqliteLedgerDialect(), $"Data Source={Path.Combine(_directory, "ledger.db")};Pooling=True;Default Timeout=30");
        _ledger = new PurchaseLedger(_database);
        _reconciliation = new ReconciliationLedger(_database);
    }

    public Task InitializeAsync() => new LedgerMigrator(_database, TimeProvider.System, NullLogger<LedgerMigrator>.Instance).MigrateAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static NewPurchase Purchase(string key, DateTimeOffset at, string? purchaseId = null) =>
        new(purchaseId ?? $"pur_{Guid.NewGuid():N}", key, "hash-a", 1, "applicant-1", at);

    private static PurchaseCompletion Pending(PurchaseTry purchaseTry, int attempt, DateTimeOffset at, string body = """{"status":"pending"}""") =>
        new(purchaseTry, new PurchaseView(purchaseTry.PurchaseId, PurchaseStatus.Pending, "d01", "ord_1", 1, 10_000, []), attempt, "pending", 202, false, 202, body, at);

    private async Task<T?> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }

    [Fact]
    public async Task OpenAsync_Sqlite_SynchronousFull()
    {
        // 2 = FULL: the WAL is synced on every commit, so a claim or attempt record survives a power loss.
        Assert.Equal(2L, await ScalarAsync<long>("PRAGMA synchronous"));
    }

    [Fact]
    public async Task ClaimAsync_RetryOfFreedKey_StartsFreshTryWithoutOldAnswer()
    {
        var first = await _ledger.ClaimAsync(Purchase("key-1", T0), CancellationToken.None);
        Assert.True(await _ledger.StartAttemptAsync(first.Try, 1, "d01", T0, CancellationToken.None));
        Assert.True(await _ledger.CompleteAsync(Pending(first.Try, 1, T0), CancellationToken.None));

        // What reconciliation does to an ambiguous pending purchase proved never charged past its deadline.
        var open = Assert.Single(await _reconciliation.FindDueAsync(T0.AddHours(1), T0, 10, CancellationToken.None));
        Assert.True(await _reconciliation.ClaimCheckAsync(open, T0.AddHours(2), CancellationToken.None));
        var seen = Assert.Single(await _reconciliation.FindDueAsync(T0.AddHours(3), T0, 10, CancellationToken.None));
        Assert.True(await _reconciliation.ResolveAsync(new PurchaseResolution(first.PurchaseId!, seen.Status, seen.UpdatedAt, PurchaseStatus.Unavailable, T0.AddHours(1)), CancellationToken.None));

        var retryAt = T0.AddHours(2);
        var retry = await _ledger.ClaimAsync(Purchase("key-1", retryAt), CancellationToken.None);

        Assert.Equal(ClaimKind.Claimed, retry.Kind);
        Assert.Equal(first.PurchaseId, retry.PurchaseId);
        Assert.Equal(retryAt.ToUnixTimeMilliseconds(), retry.Try.StartedAt);
        Assert.Equal(1, retry.PreviousAttempts);
        var row = (await _ledger.FindAsync(first.PurchaseId!, CancellationToken.None))!;
        Assert.Equal(PurchaseStatus.InProgress, row.Status);
        Assert.Equal(retryAt.ToUnixTimeMilliseconds(), row.TryStartedAt);
        Assert.Null(row.ResponseBody);
        Assert.Null(row.ResponseStatus);
        Assert.Null(row.DistributorId);
        Assert.Null(row.OrderId);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT checks FROM purchases WHERE purchase_id = @id", new { id = first.PurchaseId }));
        Assert.Null(await ScalarAsync<long?>("SELECT next_check_at FROM purchases WHERE purchase_id = @id", new { id = first.PurchaseId }));

        // A replay while the new try runs is 409, never the old try's 202.
        Assert.Equal(ClaimKind.InProgress, (await _ledger.ClaimAsync(Purchase("key-1", retryAt), CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task LiveWrites_TryTakenOverByReconciliationAndRetried_ChangeNothing()
    {
        var stale = await _ledger.ClaimAsync(Purchase("key-2", T0), CancellationToken.None);
        Assert.True(await _ledger.StartAttemptAsync(stale.Try, 1, "d01", T0, CancellationToken.None));

        // Reconciliation releases the row the paused gateway still holds, and the applicant retries.
        var seen = Assert.Single(await _reconciliation.FindDueAsync(T0.AddMinutes(5), T0.AddMinutes(5), 10, CancellationToken.None));
        Assert.True(await _reconciliation.ResolveAsync(new PurchaseResolution(stale.PurchaseId!, seen.Status, seen.UpdatedAt, PurchaseStatus.Unavailable, T0.AddMinutes(5)), CancellationToken.None));
        var current = await _ledger.ClaimAsync(Purchase("key-2", T0.AddMinutes(6)), CancellationToken.None);
        Assert.True(await _ledger.StartAttemptAsync(current.Try, 2, "d02", T0.AddMinutes(6), CancellationToken.None));

        Assert.False(await _ledger.CompleteAsync(Pending(stale.Try, 1, T0.AddMinutes(7), """{"stale":true}"""), CancellationToken.None));
        Assert.False(await _ledger.FinishAttemptAsync(stale.Try, 1, "refused", 503, T0.AddMinutes(7), CancellationToken.None));
        Assert.False(await _ledger.ReleaseAsync(stale.Try, T0.AddMinutes(7), CancellationToken.None));
        Assert.False(await _ledger.StartAttemptAsync(stale.Try, 3, "d03", T0.AddMinutes(7), CancellationToken.None));

        var row = (await _ledger.FindAsync(stale.PurchaseId!, CancellationToken.None))!;
        Assert.Equal(PurchaseStatus.InProgress, row.Status);
        Assert.Equal("d02", row.DistributorId);
        Assert.Null(row.ResponseBody);
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM purchase_attempts WHERE purchase_id = @id", new { id = stale.PurchaseId }));
        Assert.Null(await ScalarAsync<string?>("SELECT outcome FROM purchase_attempts WHERE purchase_id = @id AND attempt = 1", new { id = stale.PurchaseId }));
        Assert.True(await _ledger.CompleteAsync(Pending(current.Try, 2, T0.AddMinutes(7)), CancellationToken.None));
    }

    [Fact]
    public async Task CompleteAsync_AnswerAlreadyRecorded_NeverRewritten()
    {
        var claim = await _ledger.ClaimAsync(Purchase("key-3", T0), CancellationToken.None);
        Assert.True(await _ledger.StartAttemptAsync(claim.Try, 1, "d01", T0, CancellationToken.None));
        var issued = new PurchaseCompletion(
            claim.Try, new PurchaseView(claim.PurchaseId!, PurchaseStatus.Issued, "d01", "ord_1", 1, 10_000, ["MT-1"]), 1, "issued", 201, false, 201, """{"status":"issued"}""", T0);
        Assert.True(await _ledger.CompleteAsync(issued, CancellationToken.None));

        // The safeguard's pending-ambiguous write after an unexpected failure.
        var downgrade = new PurchaseCompletion(
            claim.Try, new PurchaseView(claim.PurchaseId!, PurchaseStatus.Pending, "d01", null, 1, null, []), 1, "ambiguous", null, true, 202, """{"status":"pending"}""", T0.AddSeconds(1));

        Assert.False(await _ledger.CompleteAsync(downgrade, CancellationToken.None));
        var row = (await _ledger.FindAsync(claim.PurchaseId!, CancellationToken.None))!;
        Assert.Equal(PurchaseStatus.Issued, row.Status);
        Assert.Equal(201, row.ResponseStatus);
    }

    [Fact]
    public async Task SaveContactsAsync_DistributorLeavesRegistry_LastAddressAndKeyStillFound()
    {
        var entry = new DistributorEntry("d09", "Nine", new Uri("http://127.0.0.1:9009/api"), "sk-live-nine", 4);
        await _reconciliation.SaveContactsAsync([entry], T0, CancellationToken.None);
        await _reconciliation.SaveContactsAsync([new DistributorEntry("d09", "Nine", new Uri("http://127.0.0.1:9010/"), "sk-live-nine-2", 4)], T0.AddDays(1), CancellationToken.None);

        var contact = await _reconciliation.FindContactAsync("d09", CancellationToken.None);

        Assert.NotNull(contact);
        Assert.Equal(new Uri("http://127.0.0.1:9010/"), contact.BaseUrl);
        Assert.Equal("sk-live-nine-2", contact.ApiKey);
        Assert.Null(await _reconciliation.FindContactAsync("d10", CancellationToken.None));
    }

    [Fact]
    public async Task UnresolvedByDistributorAsync_OpenPurchases_CountedPerDistributor()
    {
        foreach (var (key, distributor) in new[] { ("k-a", "d01"), ("k-b", "d01"), ("k-c", "d02") })
        {
            var claim = await _ledger.ClaimAsync(Purchase(key, T0), CancellationToken.None);
            Assert.True(await _ledger.StartAttemptAsync(claim.Try, 1, distributor, T0, CancellationToken.None));
            Assert.True(await _ledger.CompleteAsync(Pending(claim.Try, 1, T0) with { View = new PurchaseView(claim.PurchaseId!, PurchaseStatus.Pending, distributor, "ord", 1, 10_000, []) }, CancellationToken.None));
        }

        var debts = await _reconciliation.UnresolvedByDistributorAsync(T0, CancellationToken.None);

        Assert.Equal(["d01", "d02"], debts.Select(d => d.DistributorId));
        Assert.Equal([2L, 1L], debts.Select(d => d.Unresolved));
    }
}
