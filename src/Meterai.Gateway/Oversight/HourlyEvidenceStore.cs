using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The ledger's hourly evidence for charts and surge headroom: refusals and capacity samples
/// written by <see cref="HourlyEvidenceJob"/>, and per-hour reads of probes, sales and demand.
/// </summary>
/// <remarks>Portable SQL (ON CONFLICT, integer epoch milliseconds): the same statements run on SQLite and PostgreSQL.</remarks>
internal sealed class HourlyEvidenceStore(LedgerDatabase database)
{
    // Outcomes at which a distributor took the order: what "sold" means per hour. An ambiguous
    // answer was also an offer that used a slot, so it counts in demand but not in sales.
    private const string Sold = "('issued', 'pending')";
    private const string Served = "('issued', 'pending', 'ambiguous')";

    /// <summary>Adds refusal counts (hour start in Unix ms → count); additive, since several gateways share one ledger.</summary>
    public async Task AddRefusalsAsync(IReadOnlyDictionary<long, long> counts, CancellationToken cancellationToken)
    {
        if (counts.Count == 0)
        {
            return;
        }

        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await lease.Connection.BeginTransactionAsync(cancellationToken);
        await lease.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO refusals_hourly (hour_start, refused) VALUES (@Hour, @Count)
            ON CONFLICT (hour_start) DO UPDATE SET refused = refusals_hourly.refused + excluded.refused
            """,
            counts.Select(c => new { Hour = c.Key, Count = c.Value }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Per distributor, the mean time its accepted orders took since <paramref name="since"/>, in ms.</summary>
    public async Task<IReadOnlyDictionary<string, double>> MeasuredServiceTimesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, long TotalMs, long Count)>(new CommandDefinition(
            $"""
            SELECT distributor_id, CAST(SUM(finished_at - started_at) AS BIGINT), CAST(COUNT(*) AS BIGINT)
            FROM purchase_attempts
            WHERE started_at >= @since AND finished_at IS NOT NULL AND outcome IN {Sold}
            GROUP BY distributor_id
            """,
            new { since = since.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return rows.Where(r => r.Count > 0 && r.TotalMs > 0).ToDictionary(r => r.Id, r => (double)r.TotalMs / r.Count, StringComparer.Ordinal);
    }

    /// <summary>Per distributor, the service time of its latest hour with one, in ms: the fallback for a quiet distributor.</summary>
    public async Task<IReadOnlyDictionary<string, double>> LastKnownServiceTimesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, long TotalMs, long Count)>(new CommandDefinition(
            """
            SELECT c.distributor_id, c.service_ms_total, c.measured_samples
            FROM capacity_hourly c
            WHERE c.measured_samples > 0
              AND c.hour_start = (SELECT MAX(l.hour_start) FROM capacity_hourly l WHERE l.distributor_id = c.distributor_id AND l.measured_samples > 0)
            """,
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Id, r => (double)r.TotalMs / r.Count, StringComparer.Ordinal);
    }

    /// <summary>Adds one capacity sample per distributor to its hour.</summary>
    public async Task AddCapacitySamplesAsync(long hourStart, IReadOnlyList<CapacitySample> samples, CancellationToken cancellationToken)
    {
        if (samples.Count == 0)
        {
            return;
        }

        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await lease.Connection.BeginTransactionAsync(cancellationToken);
        await lease.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO capacity_hourly (distributor_id, hour_start, samples, selling_samples, measured_samples,
                                         concurrency_limit_total, service_ms_total, capacity_per_hour_total)
            VALUES (@DistributorId, @HourStart, 1, @Selling, @Measured, @ConcurrencyLimit, @ServiceMs, @CapacityPerHour)
            ON CONFLICT (distributor_id, hour_start) DO UPDATE
            SET samples = capacity_hourly.samples + 1,
                selling_samples = capacity_hourly.selling_samples + excluded.selling_samples,
                measured_samples = capacity_hourly.measured_samples + excluded.measured_samples,
                concurrency_limit_total = capacity_hourly.concurrency_limit_total + excluded.concurrency_limit_total,
                service_ms_total = capacity_hourly.service_ms_total + excluded.service_ms_total,
                capacity_per_hour_total = capacity_hourly.capacity_per_hour_total + excluded.capacity_per_hour_total
            """,
            samples.Select(s => new
            {
                s.DistributorId,
                HourStart = hourStart,
                Selling = s.Selling ? 1 : 0,
                Measured = s.ServiceMs is null ? 0 : 1,
                s.ConcurrencyLimit,
                ServiceMs = (long)Math.Round(s.ServiceMs ?? 0),
                s.CapacityPerHour,
            }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Everything hourly about [<paramref name="from"/>, <paramref name="to"/>), by UTC hour.</summary>
    public async Task<HourlyRows> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var p = new { from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(), fromHour = RefusalCounter.HourStart(from) };
        await using var connection = await database.OpenAsync(cancellationToken);

        // Raw probes by their hour, roll-ups by theirs; the two never overlap (see ProbeHistory).
        var probes = await connection.QueryAsync<HourlyProbeRow>(new CommandDefinition(
            """
            SELECT distributor_id AS DistributorId, hour_start AS HourStart, CAST(SUM(probes) AS BIGINT) AS Probes,
                   CAST(SUM(healthy) AS BIGINT) AS Healthy, CAST(SUM(sold_out) AS BIGINT) AS SoldOut
            FROM (
                SELECT distributor_id, (probed_at / 3600000) * 3600000 AS hour_start, COUNT(*) AS probes, SUM(healthy) AS healthy,
                       SUM(CASE WHEN healthy = 1 AND stock = 0 THEN 1 ELSE 0 END) AS sold_out
                FROM probes WHERE probed_at >= @from AND probed_at < @to
                GROUP BY distributor_id, (probed_at / 3600000) * 3600000
                UNION ALL
                SELECT distributor_id, hour_start, SUM(probes), SUM(healthy_probes), SUM(sold_out_probes)
                FROM probe_rollups WHERE hour_start >= @from AND hour_start < @to
                GROUP BY distributor_id, hour_start
            ) combined
            GROUP BY distributor_id, hour_start
            """,
            p,
            cancellationToken: cancellationToken));
        var attempts = await connection.QueryAsync<HourlyAttemptRow>(new CommandDefinition(
            $"""
            SELECT a.distributor_id AS DistributorId, (a.started_at / 3600000) * 3600000 AS HourStart,
                   CAST(SUM(CASE WHEN a.outcome IN {Sold} THEN 1 ELSE 0 END) AS BIGINT) AS Sold,
                   CAST(SUM(CASE WHEN a.outcome IN {Sold} THEN p.quantity ELSE 0 END) AS BIGINT) AS EMeterai,
                   CAST(SUM(CASE WHEN a.outcome IN {Served} THEN 1 ELSE 0 END) AS BIGINT) AS Served,
                   CAST(SUM(CASE WHEN a.outcome IN ('refused', 'sold_out') THEN 1 ELSE 0 END) AS BIGINT) AS Refused,
                   CAST(COUNT(*) AS BIGINT) AS Offers
            FROM purchase_attempts a JOIN purchases p ON p.purchase_id = a.purchase_id
            WHERE a.started_at >= @from AND a.started_at < @to
            GROUP BY a.distributor_id, (a.started_at / 3600000) * 3600000
            """,
            p,
            cancellationToken: cancellationToken));
        var capacity = await connection.QueryAsync<HourlyCapacityRow>(new CommandDefinition(
            """
            SELECT distributor_id AS DistributorId, hour_start AS HourStart, samples AS Samples, selling_samples AS SellingSamples,
                   measured_samples AS MeasuredSamples, capacity_per_hour_total AS CapacityPerHourTotal
            FROM capacity_hourly WHERE hour_start >= @fromHour AND hour_start < @to
            """,
            p,
            cancellationToken: cancellationToken));
        var refusals = await connection.QueryAsync<(long HourStart, long Refused)>(new CommandDefinition(
            "SELECT hour_start, refused FROM refusals_hourly WHERE hour_start >= @fromHour AND hour_start < @to",
            p,
            cancellationToken: cancellationToken));
        return new HourlyRows(probes.AsList(), attempts.AsList(), capacity.AsList(), refusals.ToDictionary(r => r.HourStart, r => r.Refused));
    }
}

/// <summary>One distributor's capacity as one sample saw it.</summary>
/// <param name="ServiceMs">Its measured mean service time; null when it has none yet.</param>
/// <param name="CapacityPerHour">Orders per hour it could take: limit / service time × 3600 while selling, else 0.</param>
internal sealed record CapacitySample(string DistributorId, bool Selling, int ConcurrencyLimit, double? ServiceMs, double CapacityPerHour);

internal sealed record HourlyRows(
    IReadOnlyList<HourlyProbeRow> Probes,
    IReadOnlyList<HourlyAttemptRow> Attempts,
    IReadOnlyList<HourlyCapacityRow> Capacity,
    IReadOnlyDictionary<long, long> Refusals);

internal sealed class HourlyProbeRow
{
    public string DistributorId { get; set; } = "";
    public long HourStart { get; set; }
    public long Probes { get; set; }
    public long Healthy { get; set; }
    public long SoldOut { get; set; }
}

internal sealed class HourlyAttemptRow
{
    public string DistributorId { get; set; } = "";
    public long HourStart { get; set; }
    public long Sold { get; set; }
    public long EMeterai { get; set; }
    public long Served { get; set; }

    /// <summary>Orders it refused without charging, out-of-stock answers included.</summary>
    public long Refused { get; set; }

    public long Offers { get; set; }
}

internal sealed class HourlyCapacityRow
{
    public string DistributorId { get; set; } = "";
    public long HourStart { get; set; }
    public long Samples { get; set; }
    public long SellingSamples { get; set; }
    public long MeasuredSamples { get; set; }
    public double CapacityPerHourTotal { get; set; }
}
