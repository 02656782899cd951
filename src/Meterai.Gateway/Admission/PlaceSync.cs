using System.Data.Common;
using Meterai.Gateway.Cluster;
using Meterai.Gateway.Ledger;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Admission;

/// <summary>
/// On a ledger several gateways share, keeps one line across them (spec: "the place is the same
/// whichever instance the retry reaches"): every <see cref="AdmissionOptions.PlaceSyncMilliseconds"/>
/// it writes this gateway's line changes to the ledger in one batch and merges the others' changes
/// (<see cref="LinePlaces"/>). Design and why: docs/order-of-service.md, "Several gateways".
/// </summary>
/// <remarks>
/// A batch the ledger refused is kept and written with the next one (a later change to the same key
/// replaces it: each change is the key's whole place), so an outage delays places, never loses them.
/// </remarks>
internal sealed partial class PlaceSync(
    WaitingLine line,
    LinePlaces places,
    LedgerDatabase database,
    IOptions<AdmissionOptions> options,
    TimeProvider time,
    ILogger<PlaceSync> logger,
    ClusterMembership? membership = null) : BackgroundService
{
    /// <summary>How often one gateway deletes the rows nobody needs any more; every gateway does, and a repeat deletes nothing.</summary>
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    /// <summary>How long a row outlives its place: longer than any clock skew between gateways, so no gateway still holds a place it removes.</summary>
    private static readonly TimeSpan KeepRowsFor = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, SharedPlace> _unwritten = new(StringComparer.Ordinal);
    private long _cursor;
    private long _prunedAt = long.MinValue;
    private bool _failing;

    /// <summary>Changes taken from the line and not yet in the ledger (a refused batch waits here).</summary>
    internal int Unwritten => _unwritten.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.Dialect.Shareable)
        {
            // One gateway on its own ledger: the line in memory is the whole line.
            return;
        }

        line.Shared = true;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PlaceSyncMilliseconds), time);
        do
        {
            await SyncAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round: this gateway's changes out, the others' in, and now and then the old rows away. Never throws for the ledger's faults.</summary>
    internal async Task SyncAsync(CancellationToken cancellationToken)
    {
        line.Gateways = Math.Max(membership?.LiveInstances.Count ?? 1, 1);
        foreach (var note in line.TakeChanges())
        {
            _unwritten[note.Key] = new SharedPlace(note.Key, note.Ticket, note.DueAt, note.KeepUntil, note.Served);
        }

        try
        {
            var now = time.GetUtcNow();
            if (_unwritten.Count > 0)
            {
                // After a long outage, places already lost are not worth writing.
                var batch = _unwritten.Values.Where(p => p.KeepUntil >= now).ToList();
                await places.WriteAsync(batch, cancellationToken);
                _unwritten.Clear();
            }

            var (changes, cursor) = await places.ChangesAsync(_cursor, now, cancellationToken);
            line.Merge(changes.Select(p => new PlaceNote(p.Key, p.Ticket, p.DueAt, p.KeepUntil, p.Served)));
            _cursor = cursor;

            var timestamp = time.GetTimestamp();
            if (_prunedAt == long.MinValue || time.GetElapsedTime(_prunedAt, timestamp) >= PruneEvery)
            {
                await places.PruneAsync(now - KeepRowsFor, cancellationToken);
                _prunedAt = timestamp;
            }

            if (_failing)
            {
                _failing = false;
                LogRecovered(logger);
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            if (!_failing)
            {
                _failing = true;
                LogFailing(logger, ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not share the line through the ledger ({Failure}); each gateway serves its own line until it can, and its changes wait to be written")]
    private static partial void LogFailing(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "The line is shared through the ledger again")]
    private static partial void LogRecovered(ILogger logger);
}
