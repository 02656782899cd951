using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meterai.Benchmarks;

/// <summary>
/// The purchase path's three ledger writes (claim, attempt record, answer) for a batch of
/// purchases in flight at once, through the group-commit writer, on a SQLite file with
/// synchronous FULL or NORMAL: what the ledger alone can sustain, without HTTP.
/// </summary>
[MemoryDiagnoser]
public class LedgerWriteBenchmarks : IDisposable
{
    private string _directory = "";
    private LedgerDatabase _database = null!;
    private PurchaseLedger _ledger = null!;
    private long _next;

    /// <summary>Purchases in flight at once (the applicants the writer can group).</summary>
    [Params(1, 64)]
    public int InFlight { get; set; }

    [Params("FULL", "NORMAL")]
    public string Synchronous { get; set; } = "FULL";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("meterai-ledger-bench-").FullName;
        var options = new LedgerOptions { SqliteSynchronous = Synchronous };
        _database = new LedgerDatabase(
            new SqliteLedgerDialect().Configure(options), $"Data Source={Path.Combine(_directory, "ledger.db")};Pooling=True;Default Timeout=30", options);
        new LedgerMigrator(_database, TimeProvider.System, NullLogger<LedgerMigrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        _ledger = new PurchaseLedger(_database);
    }

    /// <summary>One operation: <see cref="InFlight"/> purchases, each claimed, its attempt recorded, and answered.</summary>
    [Benchmark]
    public Task Purchases() => Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => OnePurchaseAsync()));

    /// <summary>For a quick look without BenchmarkDotNet: purchases/s over a fixed count.</summary>
    public async Task<(double PerSecond, double WritesPerCommit)> RunAsync(int purchases)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var done = 0; done < purchases; done += InFlight)
        {
            await Purchases();
        }

        var writer = _database.Writer;
        return (purchases / stopwatch.Elapsed.TotalSeconds, (double)writer.CommittedWrites / writer.Commits);
    }

    private async Task OnePurchaseAsync()
    {
        var n = Interlocked.Increment(ref _next);
        var at = DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000).AddTicks(n);
        var claim = await _ledger.ClaimAsync(new NewPurchase($"pur_{Guid.NewGuid():N}", $"bench-key-{n:D10}", "hash", 1, "bench", at), CancellationToken.None);
        await _ledger.StartAttemptAsync(claim.Try, 1, "d01", at, CancellationToken.None);
        var view = new PurchaseView(claim.Try.PurchaseId, PurchaseStatus.Issued, "d01", $"ord-{n}", 1, 10_000, [$"EMT-{n}-01"]);
        await _ledger.CompleteAsync(new PurchaseCompletion(claim.Try, view, 1, "issued", 201, false, 201, "{}", at), CancellationToken.None);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _database?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
