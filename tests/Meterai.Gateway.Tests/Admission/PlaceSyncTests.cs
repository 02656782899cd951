using Dapper;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Meterai.Gateway.Tests.Admission;

/// <summary>Two gateways' lines kept as one through one PostgreSQL ledger (spec: "the place is the same whichever instance the retry reaches").</summary>
public sealed class PlaceSyncTests
{
    private static readonly DateTimeOffset Start = new(2024, 9, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SyncAsync_KeyTookItsPlaceOnA_SameTicketAndPositionOnB()
    {
        await using var pair = await Pair.StartAsync();
        pair.A.Line.Take("key-1");
        pair.Time.Advance(TimeSpan.FromMilliseconds(10));
        pair.A.Line.Take("key-2");
        pair.Time.Advance(TimeSpan.FromMilliseconds(10));
        pair.B.Line.Take("key-3");

        await pair.SyncAsync();

        foreach (var key in new[] { "key-1", "key-2", "key-3" })
        {
            var onA = pair.A.Line.Find(key);
            var onB = pair.B.Line.Find(key);
            Assert.NotNull(onA);
            Assert.Equal(onA, onB);
        }

        Assert.Equal(2, pair.B.Line.Find("key-2")!.Position);
    }

    [Fact]
    public async Task SyncAsync_ServedOnA_LeavesBsLine()
    {
        await using var pair = await Pair.StartAsync();
        pair.A.Line.Take("key-1");
        pair.A.Line.Take("key-2");
        await pair.SyncAsync();
        Assert.Equal(2, pair.B.Line.Find("key-2")!.Position);

        pair.A.Line.Served("key-1");
        await pair.SyncAsync();

        Assert.Null(pair.B.Line.Find("key-1"));
        Assert.Equal(1, pair.B.Line.Find("key-2")!.Position);
        Assert.Null(pair.A.Line.Find("key-1"));
    }

    [Fact]
    public async Task SyncAsync_BothSawTheKey_EarlierFirstArrivalWinsOnBoth()
    {
        await using var pair = await Pair.StartAsync();
        pair.B.Line.Take("key-early");
        pair.Time.Advance(TimeSpan.FromMilliseconds(100));
        pair.A.Line.Take("key-between");
        pair.Time.Advance(TimeSpan.FromMilliseconds(100));

        // Before any sync, the key reaches A too, later: A gives it a later ticket of its own.
        var onA = pair.A.Line.Take("key-early")!;
        Assert.Equal(2, onA.Position);

        await pair.SyncAsync();

        var first = Start.UtcTicks;
        Assert.Equal(new LinePlace("key-early", first, 1), pair.A.Line.Find("key-early"));
        Assert.Equal(new LinePlace("key-early", first, 1), pair.B.Line.Find("key-early"));
        Assert.Equal(2, pair.B.Line.Find("key-between")!.Position);
    }

    [Fact]
    public async Task SyncAsync_LedgerRefusesABatch_KeptAndWrittenWhenItRecovers()
    {
        await using var pair = await Pair.StartAsync();
        pair.A.Line.Take("key-1");
        await pair.ExecuteAsync("ALTER TABLE line_places RENAME TO line_places_away");

        await pair.A.Sync.SyncAsync(CancellationToken.None);
        await pair.A.Sync.SyncAsync(CancellationToken.None);
        Assert.Equal(1, pair.A.Sync.Unwritten);
        Assert.Single(pair.A.Logs.Lines, l => l.Contains("Could not share the line", StringComparison.Ordinal));

        await pair.ExecuteAsync("ALTER TABLE line_places_away RENAME TO line_places");
        await pair.SyncAsync();

        Assert.Equal(0, pair.A.Sync.Unwritten);
        Assert.Equal(pair.A.Line.Find("key-1"), pair.B.Line.Find("key-1"));
        Assert.Single(pair.A.Logs.Lines, l => l.Contains("shared through the ledger again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_EveryInterval_PlacesReachTheOtherGateway()
    {
        await using var pair = await Pair.StartAsync();
        pair.A.Line.Shared = pair.B.Line.Shared = false;
        await pair.A.Sync.StartAsync(CancellationToken.None);
        await pair.B.Sync.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => pair.A.Line.Shared && pair.B.Line.Shared, "both lines shared");
            pair.A.Line.Take("key-1");

            // The fake clock drives the timers: each advance is one sync interval on both gateways.
            await Eventually.TrueAsync(
                () =>
                {
                    pair.Time.Advance(TimeSpan.FromMilliseconds(250));
                    return pair.B.Line.Find("key-1") is not null;
                },
                "key-1 on B");
            Assert.Equal(pair.A.Line.Find("key-1")!.Ticket, pair.B.Line.Find("key-1")!.Ticket);
        }
        finally
        {
            await pair.A.Sync.StopAsync(CancellationToken.None);
            await pair.B.Sync.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Merge_KeyServedHereSinceTheLastBatch_PlaceNotBroughtBack()
    {
        var time = new FakeTimeProvider(Start);
        var line = new WaitingLine(Options.Create(new AdmissionOptions()), time) { Shared = true };
        var place = line.Take("key-1")!;
        line.TakeChanges();

        // Served after this gateway's batch went out, before its read: the read still shows the place waiting.
        line.Served("key-1");
        line.Merge([new PlaceNote("key-1", place.Ticket, Start.AddSeconds(2), Start.AddSeconds(32), Served: false)]);

        Assert.Null(line.Find("key-1"));
        Assert.True(Assert.Single(line.TakeChanges()).Served);
    }

    /// <summary>Two gateways, each with its own line, database object and sync, on one PostgreSQL ledger and one fake clock.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private readonly TestLedger _ledger;

        private Pair(TestLedger ledger, FakeTimeProvider time)
        {
            _ledger = ledger;
            Time = time;
            A = new Gateway(ledger, time);
            B = new Gateway(ledger, time);
        }

        public FakeTimeProvider Time { get; }

        public Gateway A { get; }

        public Gateway B { get; }

        public static async Task<Pair> StartAsync()
        {
            var time = new FakeTimeProvider(Start);
            return new Pair(await TestLedger.MigratedAsync(LedgerProviders.Postgres, time), time);
        }

        /// <summary>A, then B, then A again: each has written its changes and read the other's.</summary>
        public async Task SyncAsync()
        {
            await A.Sync.SyncAsync(CancellationToken.None);
            await B.Sync.SyncAsync(CancellationToken.None);
            await A.Sync.SyncAsync(CancellationToken.None);
        }

        public async Task ExecuteAsync(string sql)
        {
            await using var connection = await _ledger.Database.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync(sql);
        }

        public async ValueTask DisposeAsync()
        {
            A.Dispose();
            B.Dispose();
            await A.Database.DisposeAsync();
            await B.Database.DisposeAsync();
            await _ledger.DisposeAsync();
        }
    }

    private sealed class Gateway : IDisposable
    {
        private readonly ILoggerFactory _loggers;

        public Gateway(TestLedger ledger, FakeTimeProvider time)
        {
            Database = new LedgerDatabase(new PostgresLedgerDialect(), ledger.ConnectionString);
            var options = Options.Create(new AdmissionOptions());
            Line = new WaitingLine(options, time) { Shared = true };
            _loggers = LoggerFactory.Create(builder => builder.AddProvider(Logs));
            Sync = new PlaceSync(Line, new LinePlaces(Database), Database, options, time, _loggers.CreateLogger<PlaceSync>());
        }

        public LedgerDatabase Database { get; }

        public WaitingLine Line { get; }

        public PlaceSync Sync { get; }

        public CapturedLogs Logs { get; } = new();

        public void Dispose()
        {
            Sync.Dispose();
            _loggers.Dispose();
        }
    }
}
