using Dapper;
using Meterai.Gateway.Ledger;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Probing;

/// <summary>
/// Writes probe results to <c>probes</c> and keeps that table bounded: raw rows older than
/// <c>Probing:RawRetentionHours</c> are folded into hourly <c>probe_rollups</c>.
/// </summary>
/// <remarks>Portable SQL only (ON CONFLICT, integer epoch milliseconds): it runs on SQLite and PostgreSQL alike.</remarks>
internal sealed partial class ProbeStore(LedgerDatabase database, IOptions<ProbingOptions> options, TimeProvider time, ILogger<ProbeStore> logger)
{
    internal const long HourMilliseconds = 3_600_000;

    // A repeated (distributor, millisecond) can only be a round run by hand beside a scheduled
    // one; the later answer is the one routing holds, so it is the one kept.
    private const string InsertProbe = """
        INSERT INTO probes (distributor_id, probed_at, healthy, stock, latency_ms)
        VALUES (@DistributorId, @ProbedAt, @Healthy, @Stock, @LatencyMs)
        ON CONFLICT (distributor_id, probed_at) DO UPDATE
        SET healthy = excluded.healthy, stock = excluded.stock, latency_ms = excluded.latency_ms
        """;

    // Additive upsert: an hour that was partly folded before (a retention change, a crash
    // between runs) gains the rest rather than being overwritten. The WHERE is also what
    // SQLite needs to parse ON CONFLICT after an INSERT ... SELECT.
    private const string FoldIntoRollups = """
        INSERT INTO probe_rollups (distributor_id, hour_start, probes, healthy_probes, sold_out_probes, latency_ms_total, latency_ms_max)
        SELECT distributor_id,
               (probed_at / 3600000) * 3600000,
               COUNT(*),
               SUM(healthy),
               SUM(CASE WHEN healthy = 1 AND stock = 0 THEN 1 ELSE 0 END),
               SUM(latency_ms),
               MAX(latency_ms)
        FROM probes
        WHERE probed_at < @cutoff
        GROUP BY distributor_id, (probed_at / 3600000) * 3600000
        ON CONFLICT (distributor_id, hour_start) DO UPDATE
        SET probes = probe_rollups.probes + excluded.probes,
            healthy_probes = probe_rollups.healthy_probes + excluded.healthy_probes,
            sold_out_probes = probe_rollups.sold_out_probes + excluded.sold_out_probes,
            latency_ms_total = probe_rollups.latency_ms_total + excluded.latency_ms_total,
            latency_ms_max = CASE WHEN excluded.latency_ms_max > probe_rollups.latency_ms_max
                                  THEN excluded.latency_ms_max ELSE probe_rollups.latency_ms_max END
        """;

    /// <summary>Stores one round in one transaction, so a reader never sees half a round.</summary>
    public async Task SaveRoundAsync(IReadOnlyCollection<ProbeResult> results, CancellationToken cancellationToken)
    {
        if (results.Count == 0)
        {
            return;
        }

        var rows = results.Select(r => new
        {
            r.DistributorId,
            ProbedAt = r.ProbedAt.ToUnixTimeMilliseconds(),
            Healthy = r.Healthy ? 1 : 0,
            r.Stock,
            LatencyMs = (int)Math.Clamp(Math.Round(r.Latency.TotalMilliseconds), 0, int.MaxValue),
        }).ToList();

        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertProbe, rows, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Folds raw probes from whole hours older than the retention into <c>probe_rollups</c> and
    /// deletes them, in one transaction, so a probe is counted exactly once however often this runs.
    /// </summary>
    /// <returns>How many raw probes were folded.</returns>
    public async Task<int> RollUpAsync(CancellationToken cancellationToken)
    {
        // Whole hours only: a roll-up row then holds its hour complete, not in pieces.
        var cutoff = (time.GetUtcNow() - options.Value.RawRetention).ToUnixTimeMilliseconds();
        cutoff -= cutoff % HourMilliseconds;

        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(FoldIntoRollups, new { cutoff }, transaction, cancellationToken: cancellationToken));
        var folded = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM probes WHERE probed_at < @cutoff", new { cutoff }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        if (folded > 0)
        {
            var before = DateTimeOffset.FromUnixTimeMilliseconds(cutoff);
            LogFolded(logger, folded, before);
        }

        return folded;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Folded {Count} raw probes older than {Cutoff:u} into hourly roll-ups")]
    private static partial void LogFolded(ILogger logger, int count, DateTimeOffset cutoff);
}
