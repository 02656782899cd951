using System.Diagnostics;
using Dapper;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Meterai.Benchmarks;

/// <summary>
/// What sharing the line costs a PostgreSQL ledger in a retry storm (docs/order-of-service.md,
/// "Several gateways"): several gateways' lines, each with its real <see cref="PlaceSync"/>, on one
/// database of their own, while applicants spread over the gateways are refused once a second each
/// and served at their fifth try. Reads the database's own counters before and after.
/// </summary>
internal static class PlaceSyncStorm
{
    private const int TriesBeforeServed = 5;

    /// <param name="admin">A connection string to a PostgreSQL database that may create databases.</param>
    public static async Task<string> RunAsync(string admin, int gateways, int refusalsPerSecond, int seconds)
    {
        var name = $"place_sync_bench_{Environment.ProcessId}";
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name}");
        await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        try
        {
            await using var database = new LedgerDatabase(new PostgresLedgerDialect(), connectionString);
            await new LedgerMigrator(database, TimeProvider.System, NullLogger<LedgerMigrator>.Instance).MigrateAsync(CancellationToken.None);
            var options = Options.Create(new AdmissionOptions());
            var lines = Enumerable.Range(0, gateways).Select(_ => new WaitingLine(options, TimeProvider.System)).ToList();
            var syncs = lines.Select(line => new PlaceSync(line, new LinePlaces(database), database, options, TimeProvider.System, NullLogger<PlaceSync>.Instance)).ToList();

            var before = await CountersAsync(connectionString, name);
            foreach (var sync in syncs)
            {
                await sync.StartAsync(CancellationToken.None);
            }

            var refused = await StormAsync(lines, refusalsPerSecond, TimeSpan.FromSeconds(seconds));
            var counts = string.Join(" / ", lines.Select(l => l.Count));
            foreach (var sync in syncs)
            {
                await sync.StopAsync(CancellationToken.None);
                sync.Dispose();
            }

            // Backends report their counters at most once a second. Npgsql resets a pooled connection
            // before reusing it, in a transaction of its own: counted as statements here too.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var after = await CountersAsync(connectionString, name);
            var d = after - before;
            return FormattableString.Invariant(
                $"place sync: {gateways} gateways, {refused / (double)seconds:F0} refusals/s for {seconds} s, every {options.Value.PlaceSyncMilliseconds} ms: {d.Commits / (double)seconds:F1} statements/s, {d.Written / (double)seconds:F0} rows written/s, {d.Returned / (double)seconds:F0} rows read/s, database busy {d.ActiveMilliseconds / (seconds * 10.0):F1}% of one core ({d.ActiveMilliseconds / Math.Max(d.Commits, 1):F2} ms a statement); places counting in each gateway's line at the end: {counts}");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    /// <summary>Applicants refused once a second each, at a gateway picked at random each time (a load balancer), served at their fifth try.</summary>
    private static async Task<long> StormAsync(List<WaitingLine> lines, int refusalsPerSecond, TimeSpan duration)
    {
        var random = new Random(28);
        // Staggered, so that as many are served as arrive every second: a steady line, not waves.
        var applicants = Enumerable.Range(0, refusalsPerSecond).Select(i => (Key: $"storm-{i:D6}", Tries: i % TriesBeforeServed)).ToArray();
        var next = 0;
        long refused = 0;
        var fresh = refusalsPerSecond;
        var stopwatch = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (stopwatch.Elapsed < duration && await timer.WaitForNextTickAsync())
        {
            for (var due = (long)(stopwatch.Elapsed.TotalSeconds * refusalsPerSecond); refused < due; refused++)
            {
                var line = lines[random.Next(lines.Count)];
                ref var applicant = ref applicants[next];
                next = (next + 1) % applicants.Length;
                if (++applicant.Tries == TriesBeforeServed)
                {
                    line.Served(applicant.Key);
                    applicant = ($"storm-{fresh++:D6}", 0);
                    continue;
                }

                line.Take(applicant.Key);
                line.Promise(applicant.Key, TimeSpan.FromSeconds(1));
            }
        }

        return refused;
    }

    private static async Task<Counters> CountersAsync(string connectionString, string name)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.QuerySingleAsync<Counters>(
            "SELECT xact_commit AS Commits, tup_inserted + tup_updated + tup_deleted AS Written, tup_returned AS Returned, active_time AS ActiveMilliseconds FROM pg_stat_database WHERE datname = @name",
            new { name });
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(sql);
    }

    private sealed record Counters(long Commits, long Written, long Returned, double ActiveMilliseconds)
    {
        public static Counters operator -(Counters a, Counters b) =>
            new(a.Commits - b.Commits, a.Written - b.Written, a.Returned - b.Returned, a.ActiveMilliseconds - b.ActiveMilliseconds);
    }
}
