using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meterai.Benchmarks;

/// <summary>
/// The purchase path's two ledger writes (the claim with its first attempt, then the answer) for
/// a batch of purchases in flight at once, through the group-commit writer, on a SQLite file with
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

    /// <summary>One operation: <see cref="InFlight"/> purchases, each claimed with its attempt, and answered.</summary>
    [Benchmark]
    public Task Purchases() => Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => OnePurchaseAsync()));

    /// <summary>For a quick look without BenchmarkDotNet: purchases/s over a fixed count.</summary>
    /// <returns>Purchases a second, writes a commit, writes a flush (0 without flushes), and the process's CPU time per purchase in microseconds.</returns>
    public async Task<(double PerSecond, double WritesPerCommit, double WritesPerFlush, double CpuMicroseconds)> RunAsync(int purchases)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        for (var done = 0; done < purchases; done += InFlight)
        {
            await Purchases();
        }

        var elapsed = stopwatch.Elapsed;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var writer = _database.Writer;
        var perFlush = writer.Flushes == 0 ? 0 : (double)writer.CommittedWrites / writer.Flushes;
        return (purchases / elapsed.TotalSeconds, (double)writer.CommittedWrites / writer.Commits, perFlush, cpu.TotalMicroseconds / purchases);
    }

    private async Task OnePurchaseAsync()
    {
        var n = Interlocked.Increment(ref _next);
        // A millisecond apart, so the purchase ids are in time order as under real load.
        var at = DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000).AddMilliseconds(n);

        // As the gateway makes them: time-ordered purchase ids, applicants' keys in no order.
        var purchase = new NewPurchase($"pur_{Guid.CreateVersion7(at):N}", $"bench-{Guid.NewGuid():N}", "hash", 1, "bench", at);
        var (claim, attempt) = await _ledger.ClaimWithAttemptAsync(purchase, "d01", CancellationToken.None);
        var view = new PurchaseView(claim.Try.PurchaseId, PurchaseStatus.Issued, "d01", $"ord-{n}", 1, 10_000, [$"EMT-{n}-01"]);
        await _ledger.CompleteAsync(new PurchaseCompletion(claim.Try, view, attempt, "issued", 201, false, 201, AnswerBody, at), CancellationToken.None);
    }

    /// <summary>The size of a real answer: the purchase view as JSON.</summary>
    private const string AnswerBody = """{"purchaseId":"pur_0193a1b2c3d4e5f60718293a4b5c6d7e","status":"issued","distributorId":"d01","orderId":"ord-0123456789abcdef","quantity":1,"amount":10000,"serials":["EMT-0123456789abcdef-01"]}""";

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
