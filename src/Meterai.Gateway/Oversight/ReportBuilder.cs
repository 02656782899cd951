using System.Globalization;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Oversight;

/// <summary>Builds, stores and reads oversight reports. A stored report is never rebuilt or edited.</summary>
internal sealed partial class ReportBuilder(
    DistributorFleet fleet,
    ActivityAuditor auditor,
    OversightStore store,
    ReportTimelineReader timelines,
    ReconciliationLedger reconciliation,
    OrphanLedger orphans,
    SellingNow sellingNow,
    IOptions<OversightOptions> options,
    IOptions<PurchasingOptions> purchasing,
    TimeProvider time,
    ILogger<ReportBuilder> logger)
{
    /// <summary>The zone people read the report's times in (Oversight:ReportUtcOffsetHours); the JSON and CSV keep UTC.</summary>
    public ReaderClock Clock => ReaderClock.From(options.Value);

    public async Task<OversightReport> BuildAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var rules = options.Value;
        var createdAt = time.GetUtcNow();
        var evidence = await auditor.GatherDetailedAsync(from, to, cancellationToken);
        var sellingWhenBuilt = sellingNow.Ids();
        var flags = await store.GetFlagsAsync(openOnly: false, cancellationToken);
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();

        var rows = fleet.All.Select(distributor =>
        {
            var (e, money) = evidence[distributor.Id];

            // Flags that were open at some moment of the period, one opened at its last instant (an audit of the same window) included.
            var flagged = flags
                .Where(f => f.DistributorId == distributor.Id && f.OpenedAt <= toMs && (f.ResolvedAt is null || f.ResolvedAt >= fromMs))
                .Select(f => f.Reason).Distinct().Order(StringComparer.Ordinal).ToList();
            return new ReportDistributorRow(
                distributor.Id,
                distributor.Entry.Name,
                flagged.Count == 0 ? DistributorStates.Active : DistributorStates.Inactive,
                e.Availability,
                e.Probes,
                e.SoldOutProbes,
                money.OrdersIssued,
                money.EMeteraiIssued,
                money.Refusals + money.Ambiguous,
                money.Undelivered,
                money.RefundsOwed,
                money.RefundsOwedAmount,
                money.RefundsMade,
                money.RefundsMadeAmount,
                flagged,
                money.Refusals,
                money.Ambiguous,
                e.Reachability,
                sellingWhenBuilt.Contains(distributor.Id));
        }).ToList();

        var totals = new ReportTotals(
            rows.Sum(r => r.OrdersIssued),
            rows.Sum(r => r.EMeteraiIssued),
            evidence.Values.Sum(v => v.Ledger.AmountIssued),
            rows.Sum(r => r.Undelivered),
            rows.Sum(r => r.RefundsOwed),
            rows.Sum(r => r.RefundsOwedAmount),
            rows.Sum(r => r.RefundsMade),
            rows.Sum(r => r.RefundsMadeAmount));
        var (removed, orphanOrders) = await OwedAsync(createdAt, cancellationToken);
        var counts = new Counts(
            rows.Count,
            rows.Count(r => r.OrdersIssued > 0),
            sellingWhenBuilt.Count,
            rows.Count(r => r.State == DistributorStates.Active),
            new ReportCoverage(evidence.Values.Select(v => v.Evidence.ObservedSeconds ?? 0).DefaultIfEmpty(0).Max(), (to - from).TotalSeconds));
        var fleetOrders = totals.OrdersIssued;
        var findings = Findings(rows, evidence.ToDictionary(p => p.Key, p => p.Value.Evidence), totals, counts, fleetOrders, from, to, createdAt, rules);
        findings.AddRange(OwedFindings(removed, orphanOrders));

        var overcharges = await store.GetOverchargesAsync(from, to, cancellationToken);
        findings.AddRange(OverchargeFindings(overcharges, from, to));

        var timeline = await timelines.ReadAsync(rows.Select(r => (r.Id, r.Name)).ToList(), from, to, cancellationToken);
        var headroom = SurgeHeadroom.From(timeline);
        findings.AddRange(headroom.Findings());

        var report = new OversightReport(
            "rpt_" + Guid.CreateVersion7(createdAt).ToString("N"), from, to, createdAt, rows.Count, counts.Sold, findings, totals, rows, timeline, headroom, removed, orphanOrders,
            overcharges, counts.SellingNow, counts.Active, counts.Coverage);
        await store.InsertReportAsync(report.Id, from, to, createdAt, JsonSerializer.Serialize(report, OversightJsonContext.Default.OversightReport), cancellationToken);
        LogBuilt(logger, report.Id, from, to, counts.Sold, rows.Count);
        return report;
    }

    /// <summary>
    /// What is owed outside the registered distributors' rows, at the time of the report: the open
    /// purchases of distributors removed from the registry (never mixed into a registered row), and
    /// the orphan orders found issued, which no refund can settle.
    /// </summary>
    private async Task<(List<RemovedDistributorRow> Removed, List<OrphanOrderRow> Orphans)> OwedAsync(DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var abandonedBefore = createdAt - ReconciliationOptions.RequestLifetime(purchasing.Value);
        var removed = (await reconciliation.UnresolvedByDistributorAsync(abandonedBefore, cancellationToken))
            .Where(d => !fleet.TryGet(d.DistributorId, out _))
            .Select(d => new RemovedDistributorRow(d.DistributorId, (int)d.Unresolved, (int)d.RefundsDue, d.RefundDueAmount))
            .ToList();
        var orphanOrders = (await orphans.DeliveredAsync(cancellationToken))
            .Select(o => new OrphanOrderRow(
                o.DistributorId, o.PurchaseId, o.OrderId, o.Quantity, o.Amount, o.FoundAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null))
            .ToList();
        return (removed, orphanOrders);
    }

    private static IEnumerable<string> OwedFindings(List<RemovedDistributorRow> removed, List<OrphanOrderRow> orphanOrders)
    {
        if (removed.Count > 0)
        {
            yield return $"{Count(removed.Count, "distributor removed from the registry still holds", "distributors removed from the registry still hold")} unresolved purchases at the time of this report: "
                + string.Join("; ", removed.Select(d => $"{d.Id} ({Count(d.Unresolved, "unresolved purchase", "unresolved purchases")}, of which {d.RefundsOwed} refunds owed, {Rupiah(d.RefundsOwedAmount)})"))
                + ". The gateway keeps resolving them at the distributor's last known address.";
        }

        if (orphanOrders.Count > 0)
        {
            var by = orphanOrders.GroupBy(o => o.DistributorId, StringComparer.Ordinal)
                .Select(g => $"{g.Key} ({Count(g.Count(), "order", "orders")}, {Rupiah(g.Sum(o => o.Amount ?? 0))})");
            yield return $"{Count(orphanOrders.Count, "order was", "orders were")} charged and issued by a distributor after its answer was lost and the purchase was released or sold elsewhere. "
                + $"An issued e-Meterai cannot be refunded, so the distributor owes the applicant a credit: {string.Join("; ", by)}.";
        }
    }

    /// <summary>Orders charged above <c>quantity</c> × 10,000 in the period, by distributor, with what the applicants are owed back.</summary>
    private static IEnumerable<string> OverchargeFindings(IReadOnlyList<OverchargeRow> overcharges, DateTimeOffset from, DateTimeOffset to)
    {
        if (overcharges.Count == 0)
        {
            yield break;
        }

        var by = overcharges.GroupBy(o => o.DistributorId, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({Count(g.Count(), "order", "orders")}: {Rupiah(g.Sum(o => o.AmountCharged))} charged, {Rupiah(g.Sum(o => o.AmountDue))} due)");
        yield return $"{Count(overcharges.Count, "order was", "orders were")} charged more than {Rupiah(OrderAmounts.PerEMeterai)} per e-Meterai "
            + $"between {ActivityRules.Format(from)} and {ActivityRules.Format(to)}: {string.Join("; ", by)}. The orders counted; the applicants are owed the difference.";
    }

    public async Task<OversightReport?> GetAsync(string reportId, CancellationToken cancellationToken) =>
        await store.GetReportBodyAsync(reportId, cancellationToken) is { } body
            ? JsonSerializer.Deserialize(body, OversightJsonContext.Default.OversightReport)?.Upgraded()
            : null;

    public async Task<IReadOnlyList<ReportSummary>> ListAsync(CancellationToken cancellationToken) =>
        (await store.ListReportsAsync(500, cancellationToken))
            .Select(r => new ReportSummary(
                r.ReportId,
                DateTimeOffset.FromUnixTimeMilliseconds(r.PeriodFrom),
                DateTimeOffset.FromUnixTimeMilliseconds(r.PeriodTo),
                DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt)))
            .ToList();

    /// <summary>The findings in plain sentences, the way an ombudsman would write them.</summary>
    /// <remarks>"Sold", "selling" and "active" each mean one thing (docs/oversight-rules.md, "Selling, sold and active").</remarks>
    private static List<string> Findings(
        List<ReportDistributorRow> rows,
        Dictionary<string, ActivityEvidence> evidence,
        ReportTotals totals,
        Counts counts,
        int fleetOrders,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset createdAt,
        OversightOptions rules)
    {
        var period = $"between {ActivityRules.Format(from)} and {ActivityRules.Format(to)}";
        var coverage = counts.Coverage;
        var findings = new List<string>
        {
            coverage.ObservedSeconds >= coverage.PeriodSeconds
                ? $"The gateway observed the whole period, {ActivityRules.Duration(coverage.PeriodSeconds)}."
                : $"The gateway observed {ActivityRules.Duration(coverage.ObservedSeconds)} of this {ActivityRules.Duration(coverage.PeriodSeconds)} period (it was not running, or not probing, the rest of the time); every figure below covers only what it observed.",
            $"Of {rows.Count} registered distributors, {counts.Sold} sold e-Meterai to the public {period} (issued at least one order). "
                + $"When this report was built ({ActivityRules.Format(createdAt)}), {counts.SellingNow} {(counts.SellingNow == 1 ? "was" : "were")} selling (healthy by probe, in stock and not refusing orders); "
                + $"{counts.Active} {(counts.Active == 1 ? "was" : "were")} active (no flag open during the period).",
            $"Applicants bought {totals.EMeteraiIssued} e-Meterai in {totals.OrdersIssued} orders, for {Rupiah(totals.AmountIssued)}.",
        };

        var idle = rows.Where(r => r.OrdersIssued == 0).ToList();
        if (idle.Count > 0)
        {
            var reasons = idle.Select(r =>
            {
                var findings = ActivityRules.Evaluate(evidence[r.Id], fleetOrders, from, to, rules);
                var why = findings.Count > 0 ? findings[0].Reason : null;
                return $"{r.Id} {r.Name} ({Describe(why, evidence[r.Id])})";
            });
            findings.Add($"{Count(idle.Count, "registered distributor", "registered distributors")} sold nothing: {string.Join("; ", reasons)}.");
        }

        var unreachable = rows.Where(r => r.Probes >= rules.MinimumProbes && r.Availability < rules.AvailabilityThreshold).ToList();
        if (unreachable.Count > 0)
        {
            findings.Add($"{Count(unreachable.Count, "distributor was", "distributors were")} able to sell (healthy, in stock and taking orders) less than {rules.AvailabilityThreshold:0%} of the observed time: "
                + string.Join(", ", unreachable.Select(r => $"{r.Id} ({r.Availability:0%})")) + ".");
        }

        findings.Add(totals.Undelivered == 0
            ? "Every paid purchase was delivered within the delivery deadline."
            : $"{Count(totals.Undelivered, "paid purchase was", "paid purchases were")} not delivered within the delivery deadline.");
        // Owed: every refund_due purchase when the report was built, whenever it was bought. Made: every
        // refund confirmed in the period, whenever its purchase was bought.
        findings.Add($"Refunds owed at the time of this report ({ActivityRules.Format(createdAt)}), for purchases of any date: {totals.RefundsOwed} ({Rupiah(totals.RefundsOwedAmount)}); "
            + $"refunds made {period}, for purchases of any date: {totals.RefundsMade} ({Rupiah(totals.RefundsMadeAmount)}).");
        return findings;
    }

    /// <summary>The report's head counts; <see cref="OversightReport"/> names each.</summary>
    private sealed record Counts(int Registered, int Sold, int SellingNow, int Active, ReportCoverage Coverage);

    private static string Describe(string? reason, ActivityEvidence e) => reason switch
    {
        FlagReasons.Unreachable => $"unreachable: answered {e.HealthyProbes} of {e.Probes} probes",
        FlagReasons.NoStock => $"no stock in {e.SoldOutProbes} of {e.HealthyProbes} probes",
        FlagReasons.NoSales when e.Offers > 0 => $"refused or failed all {e.Offers} orders offered",
        FlagReasons.NoSales => "healthy and in stock, yet sold nothing",
        FlagReasons.Overcharged => "charged more than is due for its orders",
        _ when e.Probes == 0 => "never probed in the period",
        _ => "was offered no orders",
    };

    private static string Count(int count, string one, string many) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? one : many);

    internal static string Rupiah(long amount) =>
        "Rp " + amount.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.');

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight report {ReportId} built for {From:o} to {To:o}: {Selling} of {Registered} distributors sold")]
    private static partial void LogBuilt(ILogger logger, string reportId, DateTimeOffset from, DateTimeOffset to, int selling, int registered);
}
