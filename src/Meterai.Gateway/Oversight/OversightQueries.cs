using Meterai.Gateway.Distributors;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Oversight;

/// <summary>What regulators read: each distributor's state with its evidence, and the flags.</summary>
internal sealed class OversightQueries(
    DistributorFleet fleet,
    ActivityAuditor auditor,
    OversightStore store,
    ReportTimelineReader timelines,
    SellingNow sellingNow,
    IOptions<OversightOptions> options,
    IOptions<ReconciliationOptions> reconciliation,
    TimeProvider time)
{
    /// <summary>The days a distributor's page looks back over.</summary>
    public const int HistoryDays = 30;

    /// <summary>The zone people read times in on these pages.</summary>
    public ReaderClock Clock => ReaderClock.From(options.Value);

    public async Task<IReadOnlyList<DistributorOversightView>> GetDistributorsAsync(CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var evidence = await auditor.GatherAsync(to - options.Value.AuditWindow, to, cancellationToken);
        var selling = sellingNow.Ids();
        var open = (await store.GetFlagsAsync(openOnly: true, cancellationToken))
            .Select(ActivityAuditor.ToView)
            .ToLookup(f => f.DistributorId, StringComparer.Ordinal);

        return fleet.All.Select(d =>
        {
            var e = evidence[d.Id];
            var flags = open[d.Id].ToList();
            return new DistributorOversightView(
                d.Id,
                d.Entry.Name,
                flags.Count == 0 ? DistributorStates.Active : DistributorStates.Inactive,
                d.Healthy,
                d.Stock == DistributorState.UnknownStock ? null : d.Stock,
                d.ConcurrencyLimit,
                e.Availability,
                e.EMeteraiIssued,
                e.Undelivered,
                flags,
                selling.Contains(d.Id),
                e.Reachability);
        }).ToList();
    }

    /// <summary>
    /// One registered distributor's page: its state now, its flags of the last <see cref="HistoryDays"/>
    /// days, and those days one by one (today, so far, last). Null for an id the registry does not have.
    /// </summary>
    public async Task<DistributorHistory?> GetHistoryAsync(string id, CancellationToken cancellationToken)
    {
        if (!fleet.TryGet(id, out _))
        {
            return null;
        }

        var now = Clock.Local(time.GetUtcNow());
        var firstDay = new DateTimeOffset(now.Date, now.Offset).AddDays(1 - HistoryDays);
        var view = (await GetDistributorsAsync(cancellationToken)).Single(d => d.Id == id);
        var rows = (await store.GetDailyActivityAsync(id, firstDay, now, Clock.Offset, now - reconciliation.Value.DeliveryDeadline, cancellationToken))
            .ToDictionary(r => r.Day);
        var days = Enumerable.Range(0, HistoryDays).Select(i =>
        {
            var day = firstDay.AddDays(i);
            var key = (long)Math.Floor((day.ToUnixTimeMilliseconds() + Clock.Offset.TotalMilliseconds) / 86_400_000d);
            return rows.TryGetValue(key, out var r)
                ? new DistributorDay(day, (int)r.Probes, (int)r.Healthy, (int)r.SoldOut, (int)r.Offers, (int)r.Sold, (int)r.Refused, (int)r.Undelivered)
                : new DistributorDay(day, 0, 0, 0, 0, 0, 0, 0);
        }).ToList();
        var flags = (await store.GetFlagsOfAsync(id, firstDay, cancellationToken)).Select(ActivityAuditor.ToView).ToList();
        return new DistributorHistory(view, days, flags);
    }

    /// <summary>The fleet and each distributor hour by hour over the <paramref name="period"/> that ends now.</summary>
    public Task<ReportTimeline> GetTimelineAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        return timelines.ReadAsync(fleet.All.Select(d => (d.Id, d.Entry.Name)).ToList(), to - period, to, cancellationToken);
    }

    /// <param name="open">true: open flags only; false: resolved flags only; null: all.</param>
    public async Task<IReadOnlyList<FlagView>> GetFlagsAsync(bool? open, CancellationToken cancellationToken)
    {
        var flags = await store.GetFlagsAsync(openOnly: open == true, cancellationToken);
        return flags
            .Where(f => open != false || f.ResolvedAt is not null)
            .Select(ActivityAuditor.ToView)
            .ToList();
    }
}
