using Meterai.Gateway.Probing;
using Meterai.Gateway.Purchases;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Oversight;

/// <summary>A report period hour by hour (UTC hours): the fleet's sales, demand and capacity, and each distributor's.</summary>
internal sealed record ReportTimeline(IReadOnlyList<FleetHour> Fleet, IReadOnlyList<DistributorTimeline> Distributors);

/// <param name="Sold">Orders distributors took (answered 201 or 202) in the hour.</param>
/// <param name="Refused">Applicants answered 503 for lack of capacity in the hour.</param>
/// <param name="Demand">Every offered purchase: orders a distributor answered (sold or ambiguous) plus the refused.</param>
/// <param name="CapacityPerHour">Orders per hour the fleet could take, from the hour's capacity samples; null when never sampled.</param>
/// <param name="SellingDistributors">Distributors selling (<see cref="Routing.SellingNow"/>) in at least half the hour's capacity samples.</param>
/// <param name="ObservedSeconds">How much of the hour (within the period) the gateway observed; 0: not observed, so its zeros are not data. Null in reports stored before it was recorded.</param>
/// <param name="DistributorsSold">Distributors that sold at least one order in the hour.</param>
internal sealed record FleetHour(
    DateTimeOffset Hour, int Sold, int EMeterai, int Refused, int Demand, double? CapacityPerHour, int SellingDistributors,
    double? ObservedSeconds = null, int? DistributorsSold = null)
{
    /// <summary>False for an hour the gateway did not observe at all (it was not running): draw nothing there.</summary>
    internal bool WasObserved() => ObservedSeconds is not 0 || Demand > 0 || Sold > 0;
}

internal sealed record DistributorTimeline(string Id, string Name, IReadOnlyList<DistributorHour> Hours);

/// <param name="Availability">Share of the hour it was able to sell (healthy and in stock by probe, not refusing every order); null without probes.</param>
/// <param name="CapacityPerHour">Orders per hour it could take, averaged over the hour's samples; null when not sampled or its service time is unknown.</param>
internal sealed record DistributorHour(DateTimeOffset Hour, double? Availability, int Sold, int EMeterai, double? CapacityPerHour);

/// <summary>Reads a period's hourly evidence from the ledger and shapes it into a <see cref="ReportTimeline"/>.</summary>
internal sealed class ReportTimelineReader(HourlyEvidenceStore store, IOptions<ProbingOptions> probing)
{
    public async Task<ReportTimeline> ReadAsync(
        IReadOnlyList<(string Id, string Name)> distributors, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(distributors);
        var rows = await store.ReadAsync(from, to, cancellationToken);
        return Shape(distributors, from, to, rows, probing.Value);
    }

    internal static ReportTimeline Shape(
        IReadOnlyList<(string Id, string Name)> distributors, DateTimeOffset from, DateTimeOffset to, HourlyRows rows, ProbingOptions probing)
    {
        var hours = Hours(from, to);
        var probes = rows.Probes.ToDictionary(r => (r.DistributorId, r.HourStart));
        var attempts = rows.Attempts.ToDictionary(r => (r.DistributorId, r.HourStart));
        var capacity = rows.Capacity.ToDictionary(r => (r.DistributorId, r.HourStart));

        var timelines = distributors.Select(d => new DistributorTimeline(d.Id, d.Name, hours.Select(h =>
        {
            var probe = probes.GetValueOrDefault((d.Id, h));
            var sold = attempts.GetValueOrDefault((d.Id, h));
            return new DistributorHour(
                At(h),
                probe is null ? null : ActivityEvidence.Share(probe.Probes, probe.Healthy, probe.SoldOut, sold?.Offers ?? 0, sold?.Sold ?? 0, sold?.Refused ?? 0),
                (int)(sold?.Sold ?? 0),
                (int)(sold?.EMeterai ?? 0),
                Capacity(capacity.GetValueOrDefault((d.Id, h))));
        }).ToList())).ToList();

        var fleet = hours.Select(h =>
        {
            // Attempts at distributors since removed from the registry still count for the fleet.
            var hourAttempts = rows.Attempts.Where(a => a.HourStart == h).ToList();
            var hourCapacity = rows.Capacity.Where(c => c.HourStart == h).ToList();
            var refused = (int)rows.Refusals.GetValueOrDefault(h);
            var known = hourCapacity.Select(Capacity).Where(c => c is not null).ToList();

            // The part of this hour inside the period, and of that what the probes saw (the busiest-probed distributor).
            var span = (Math.Min(h + RefusalCounter.HourMs, to.ToUnixTimeMilliseconds()) - Math.Max(h, from.ToUnixTimeMilliseconds())) / 1000d;
            var probed = rows.Probes.Where(p => p.HourStart == h).Select(p => p.Probes).DefaultIfEmpty(0).Max();
            return new FleetHour(
                At(h),
                (int)hourAttempts.Sum(a => a.Sold),
                (int)hourAttempts.Sum(a => a.EMeterai),
                refused,
                (int)hourAttempts.Sum(a => a.Served) + refused,
                known.Count == 0 ? null : known.Sum(),
                hourCapacity.Count(c => c.SellingSamples * 2 >= c.Samples && c.Samples > 0),
                ActivityAuditor.Observed(probed, span, probing),
                hourAttempts.Where(a => a.Sold > 0).Select(a => a.DistributorId).Distinct(StringComparer.Ordinal).Count());
        }).ToList();
        return new ReportTimeline(fleet, timelines);
    }

    /// <summary>Average orders per hour over the hour's samples; unknown when a sample that could sell had no service time.</summary>
    private static double? Capacity(HourlyCapacityRow? row) =>
        row is null || row.Samples == 0 || (row.SellingSamples > 0 && row.MeasuredSamples == 0)
            ? null
            : row.CapacityPerHourTotal / row.Samples;

    /// <summary>The UTC hour starts (Unix ms) that overlap [from, to).</summary>
    internal static List<long> Hours(DateTimeOffset from, DateTimeOffset to)
    {
        var hours = new List<long>();
        for (var h = RefusalCounter.HourStart(from); h < to.ToUnixTimeMilliseconds(); h += RefusalCounter.HourMs)
        {
            hours.Add(h);
        }

        return hours;
    }

    private static DateTimeOffset At(long hourStart) => DateTimeOffset.FromUnixTimeMilliseconds(hourStart);
}
