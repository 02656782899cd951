using Meterai.Gateway.Distributors;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Oversight;

/// <summary>What regulators read: each distributor's state with its evidence, and the flags.</summary>
public sealed class OversightQueries(
    DistributorFleet fleet,
    ActivityAuditor auditor,
    OversightStore store,
    ReportTimelineReader timelines,
    SellingNow sellingNow,
    IOptions<OversightOptions> options,
    TimeProvider time)
{
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
