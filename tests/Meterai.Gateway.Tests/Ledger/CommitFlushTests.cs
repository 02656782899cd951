using System.Data.Common;
using Dapper;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Testing;
using Microsoft.Data.Sqlite;
using Quartz;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>
/// The group commit's flush outside the write lock (<see cref="ICommitFlush"/>), on a real SQLite
/// file: a durable write is answered only after a flush that began after its commit; a write that
/// only needs its commit is answered at once; a flush the disk does not confirm fails the durable
/// writes it was to cover.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public sealed class CommitFlushTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 9, 1, 1, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meterai-flush-test-");
    private readonly HeldFlush _flush = new();
    private LedgerDatabase _database = null!;
    private PurchaseLedger _ledger = null!;

    private string ConnectionString => $"Data Source={Path.Combine(_directory.FullName, "ledger.db")};Pooling=True;Default Timeout=30";

    public async Task InitializeAsync()
    {
        _database = new LedgerDatabase(new FlushSpyDialect(new SqliteLedgerDialect(), _flush), ConnectionString);
        await new LedgerMigrator(_database, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<LedgerMigrator>.Instance)
            .MigrateAsync(CancellationToken.None);
        _ledger = new PurchaseLedger(_database);
    }

    public async Task DisposeAsync()
    {
        _flush.Release();
        await _database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private static NewPurchase Purchase(int i) => new($"pur_{Guid.NewGuid():N}", $"flush-test-key-{i:D4}", "hash-a", 1, "applicant-1", T0);

    private async Task<string?> StatusAsync(string purchaseId)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<string?>("SELECT status FROM purchases WHERE purchase_id = @purchaseId", new { purchaseId });
    }

    [Fact]
    public async Task ClaimWithAttemptAsync_FlushNotDone_AnsweredOnlyOnceTheFlushIs()
    {
        _flush.Hold();
        var purchase = Purchase(1);

        var claim = _ledger.ClaimWithAttemptAsync(purchase, "d01", CancellationToken.None);

        // Committed (another connection reads it), yet not answered: the order must not leave before the disk has it.
        await Eventually.TrueAsync(async () => await StatusAsync(purchase.PurchaseId) == "in_progress", "the claim is committed");
        await _flush.StartedAsync();
        Assert.False(claim.IsCompleted, "the claim was answered before its flush finished");

        _flush.Release();
        var (result, attempt) = await claim;
        Assert.Equal(ClaimKind.Claimed, result.Kind);
        Assert.Equal(1, attempt);
    }

    [Fact]
    public async Task CompleteAsync_FlushNotDone_AnsweredOnceCommitted()
    {
        var purchase = Purchase(1);
        var (claim, attempt) = await _ledger.ClaimWithAttemptAsync(purchase, "d01", CancellationToken.None);
        _flush.Hold();

        var view = new PurchaseView(purchase.PurchaseId, PurchaseStatus.Issued, "d01", "ord-1", 1, 10_000, ["EMT-1"]);
        var completed = await _ledger.CompleteAsync(new PurchaseCompletion(claim.Try, view, attempt, "issued", 201, false, 201, "{}", T0), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(completed);
        Assert.Equal("issued", await StatusAsync(purchase.PurchaseId));
        Assert.True(_flush.Holding, "the answer waited for the flush");
    }

    [Fact]
    public async Task ClaimAsync_FlushFails_FailsWithTheDisksError()
    {
        _flush.FailWith(new IOException("the disk said no"));

        var failure = await Assert.ThrowsAsync<IOException>(() => _ledger.ClaimAsync(Purchase(1), CancellationToken.None));

        Assert.Equal("the disk said no", failure.Message);
    }

    [Fact]
    public async Task ClaimAsync_ManyAtOnce_OneFlushCoversSeveralCommits()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _ledger.ClaimAsync(Purchase(i), CancellationToken.None)));

        Assert.All(claims, c => Assert.Equal(ClaimKind.Claimed, c.Kind));
        Assert.InRange(_database.Writer.Flushes, 1, _database.Writer.Commits);
        Assert.Equal(_database.Writer.Flushes, _flush.Calls);
    }

    [Fact]
    public async Task WriteAsync_UnderTheFlush_WriterCommitsWithoutItsOwnSync()
    {
        // 1 is NORMAL: the writer's commit does not sync; the flush does. Other connections keep FULL (2).
        var mode = await _database.Writer.WriteAsync(async session => await session.Connection.ExecuteScalarAsync<long>("PRAGMA synchronous", transaction: session.Transaction), CancellationToken.None);
        await using var other = await _database.OpenAsync(CancellationToken.None);

        Assert.Equal(1, mode);
        Assert.Equal(2, await other.ExecuteScalarAsync<long>("PRAGMA synchronous"));
    }

    [Theory]
    [InlineData("FULL", "Data Source=ledger.db", true)]
    [InlineData("NORMAL", "Data Source=ledger.db", false)]
    [InlineData("FULL", "Data Source=:memory:", false)]
    [InlineData("FULL", "Data Source=shared;Mode=Memory;Cache=Shared", false)]
    public void CommitFlush_SqliteSettings_FlushesOnlyAFileThatFullWouldSync(string synchronous, string connectionString, bool flushes)
    {
        var dialect = new SqliteLedgerDialect().Configure(new LedgerOptions { SqliteSynchronous = synchronous });

        Assert.Equal(flushes, dialect.CommitFlush(connectionString) is not null);
    }

    [Fact]
    public void Flush_WalMissing_ReturnsWithoutError()
    {
        var flush = new SqliteWalFlush(Path.Combine(_directory.FullName, "absent.db-wal"));

        flush.Flush();

        Assert.False(File.Exists(Path.Combine(_directory.FullName, "absent.db-wal")));
    }

    [Fact]
    public async Task Flush_RealWal_SyncsItAndLeavesItUnchanged()
    {
        await using var ledger = new LedgerDatabase(new SqliteLedgerDialect(), ConnectionString);
        await new PurchaseLedger(ledger).ClaimAsync(Purchase(7), CancellationToken.None);
        var wal = Path.Combine(_directory.FullName, "ledger.db-wal");
        var before = await File.ReadAllBytesAsync(wal);

        new SqliteWalFlush(wal).Flush();

        Assert.NotEmpty(before);
        Assert.Equal(before, await File.ReadAllBytesAsync(wal));
    }

    /// <summary>A flush the test holds, or fails, and counts.</summary>
    private sealed class HeldFlush : ICommitFlush
    {
        private volatile TaskCompletionSource _open = Opened();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _failure;
        private long _calls;

        public string WriterOnOpenSql => "PRAGMA synchronous=NORMAL;";

        public long Calls => Interlocked.Read(ref _calls);

        public bool Holding => !_open.Task.IsCompleted;

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _open.TrySetResult();

        public void FailWith(Exception failure) => _failure = failure;

        public Task StartedAsync() => _started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource();
            open.SetResult();
            return open;
        }

        public void Flush()
        {
            Interlocked.Increment(ref _calls);
            _started.TrySetResult();
            // The flush thread is the writer's own, not the pool's: blocking it is what a slow disk does.
            _open.Task.Wait(TimeSpan.FromSeconds(60));
            if (_failure is not null)
            {
                throw _failure;
            }
        }
    }

    /// <summary>SQLite's dialect with the flush replaced.</summary>
    private sealed class FlushSpyDialect(ILedgerDialect inner, ICommitFlush flush) : ILedgerDialect
    {
        public string Name => inner.Name;

        public string DefaultConnectionString => inner.DefaultConnectionString;

        public bool SingleWriter => inner.SingleWriter;

        public string? OnOpenSql => inner.OnOpenSql;

        public string? PrepareSql => inner.PrepareSql;

        public string? MigrationLockSql => inner.MigrationLockSql;

        public bool Shareable => inner.Shareable;

        public bool UsesSockets => inner.UsesSockets;

        public DbConnection CreateConnection(string connectionString) => inner.CreateConnection(connectionString);

        public ICommitFlush? CommitFlush(string connectionString) => flush;

        public string? SingleGatewayLockPath(string connectionString) => inner.SingleGatewayLockPath(connectionString);

        public ILedgerDialect Configure(LedgerOptions options) => this;

        public void UseForQuartz(IPersistentStoreBuilder store, string connectionString) => inner.UseForQuartz(store, connectionString);
    }
}
