using Dapper;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// Fills <see cref="KnownKeys"/> from the ledger at start, newest keys last, and on a ledger that
/// several gateways share, keeps adding the keys the others claim.
/// </summary>
internal sealed partial class KnownKeysRefresher(
    LedgerDatabase database, IOptions<LedgerOptions> options, TimeProvider time, ILogger<KnownKeysRefresher> logger) : BackgroundService
{
    private const int Page = 20_000;

    // Gateways stamp created_at with their own clocks, and a claim commits a moment after it is
    // stamped: each refresh reads again from a little before the newest key it saw.
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(10);

    private static readonly LedgerStatement RecentKeys = LedgerStatement.Load("recent-keys", "Since", "Limit");
    private static readonly LedgerStatement RecentKeysStart = LedgerStatement.Load("recent-keys-start", "Skip");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var keys = database.KnownKeys;
        long since;
        try
        {
            // Only the most recent keys, as many as two filters hold without a rotation (one fewer
            // than both full): older ones would be forgotten on the way in, and the recent ones are
            // those a retry brings back.
            var most = (2L * settings.KnownKeysCapacity) - 1;
            since = await StartAsync(most, stoppingToken);
            since = await LoadAsync(keys, since, most, stoppingToken);
            keys.MarkLoaded();
            LogLoaded(logger);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            // Not loaded, every key stays "may be known": refusals read the ledger, as before.
            LogLoadFailed(logger, ex.GetType().Name);
            return;
        }

        if (!database.Dialect.Shareable)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.KnownKeysRefreshSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                since = await LoadAsync(keys, since - (long)Overlap.TotalMilliseconds, long.MaxValue, stoppingToken);
            }
            catch (System.Data.Common.DbException ex)
            {
                LogRefreshFailed(logger, ex.GetType().Name);
            }
        }
    }

    /// <summary>The creation time the newest <paramref name="most"/> keys start at; 0 when the ledger holds fewer.</summary>
    private async Task<long> StartAsync(long most, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(RecentKeysStart.Sql, new { Skip = most - 1 }, cancellationToken: cancellationToken)) ?? 0;
    }

    /// <returns>The newest creation time seen, where the next refresh starts.</returns>
    private async Task<long> LoadAsync(KnownKeys keys, long since, long most, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        long newest = Math.Max(0, since);
        for (long loaded = 0; loaded < most;)
        {
            var start = newest;
            var limit = (int)Math.Min(Page, most - loaded);
            var page = (await connection.QueryAsync<(string IdempotencyKey, long CreatedAt)>(new CommandDefinition(
                RecentKeys.Sql, new { Since = newest, Limit = limit }, cancellationToken: cancellationToken))).AsList();
            foreach (var (key, createdAt) in page)
            {
                keys.Add(key);
                newest = Math.Max(newest, createdAt);
            }

            loaded += page.Count;
            if (page.Count < limit)
            {
                break;
            }

            // The next page starts at the last one's millisecond, so rows stamped in it are read again,
            // never skipped; only a page that is one millisecond throughout must step past it.
            if (newest == start)
            {
                newest++;
            }
        }

        return newest;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Known Idempotency-Keys loaded from the ledger: surge refusals now cost no ledger read")]
    private static partial void LogLoaded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the known Idempotency-Keys ({Failure}); surge refusals keep reading the ledger")]
    private static partial void LogLoadFailed(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the known Idempotency-Keys from the shared ledger ({Failure}); retrying at the next refresh")]
    private static partial void LogRefreshFailed(ILogger logger, string failure);
}
