using Dapper;
using Meterai.Gateway.Ledger;

namespace Meterai.Gateway.Probing;

/// <summary>Reads what the probes saw over a period, for availability figures, audits and reports.</summary>
internal sealed class ProbeHistory(LedgerDatabase database)
{
    // Raw probes count by their own time; a roll-up counts whole by its hour's start, so a window
    // that cuts through a rolled-up hour takes all of it or none of it. The two never overlap:
    // a raw probe is deleted in the transaction that folds it.
    private const string Summary = """
        SELECT distributor_id AS DistributorId,
               CAST(SUM(probes) AS BIGINT) AS Probes,
               CAST(SUM(healthy_probes) AS BIGINT) AS HealthyProbes,
               CAST(SUM(sold_out_probes) AS BIGINT) AS SoldOutProbes,
               CAST(SUM(latency_ms_total) AS BIGINT) AS LatencyMsTotal,
               CAST(MAX(latency_ms_max) AS BIGINT) AS LatencyMsMax
        FROM (
            SELECT distributor_id,
                   COUNT(*) AS probes,
                   SUM(healthy) AS healthy_probes,
                   SUM(CASE WHEN healthy = 1 AND stock = 0 THEN 1 ELSE 0 END) AS sold_out_probes,
                   SUM(latency_ms) AS latency_ms_total,
                   MAX(latency_ms) AS latency_ms_max
            FROM probes
            WHERE probed_at >= @from AND probed_at < @to
            GROUP BY distributor_id
            UNION ALL
            SELECT distributor_id, SUM(probes), SUM(healthy_probes), SUM(sold_out_probes), SUM(latency_ms_total), MAX(latency_ms_max)
            FROM probe_rollups
            WHERE hour_start >= @from AND hour_start < @to
            GROUP BY distributor_id
        ) AS combined
        GROUP BY distributor_id
        ORDER BY distributor_id
        """;

    /// <summary>
    /// Per distributor, what the probes in [<paramref name="from"/>, <paramref name="to"/>) saw,
    /// raw and rolled-up alike. A distributor with no probe in the window is absent.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ProbeSummary>> GetSummaryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            Summary,
            new { from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(
            r => r.DistributorId,
            r => new ProbeSummary(
                r.DistributorId,
                checked((int)r.Probes),
                checked((int)r.HealthyProbes),
                checked((int)r.SoldOutProbes),
                r.Probes == 0 ? 0 : (double)r.LatencyMsTotal / r.Probes,
                checked((int)r.LatencyMsMax)),
            StringComparer.Ordinal);
    }

    /// <remarks>Settable properties: SQLite answers every integer as Int64, PostgreSQL as its own types.</remarks>
    private sealed class Row
    {
        public string DistributorId { get; set; } = "";
        public long Probes { get; set; }
        public long HealthyProbes { get; set; }
        public long SoldOutProbes { get; set; }
        public long LatencyMsTotal { get; set; }
        public long LatencyMsMax { get; set; }
    }
}

/// <summary>What the probes saw of one distributor over a period.</summary>
/// <param name="SoldOutProbes">Probes that found it healthy with zero stock.</param>
internal sealed record ProbeSummary(string DistributorId, int Probes, int HealthyProbes, int SoldOutProbes, double MeanLatencyMs, int MaxLatencyMs)
{
    /// <summary>Share of probes that found it healthy, 0 to 1; 0 when it was never probed.</summary>
    public double Availability => Probes == 0 ? 0 : (double)HealthyProbes / Probes;
}
