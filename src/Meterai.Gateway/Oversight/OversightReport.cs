using System.Text.Json.Serialization;

namespace Meterai.Gateway.Oversight;

/// <summary>An ombudsman-style finding over one period. Stored as JSON once and never changed.</summary>
/// <remarks>
/// Timeline, Headroom, RemovedDistributors, OrphanOrders, Overcharges, SellingWhenBuilt, ActiveDistributors
/// and Coverage are null in reports stored before they existed. The counts follow docs/oversight-rules.md,
/// "Selling, sold and active".
/// </remarks>
/// <param name="SoldDistributors">Distributors that issued at least one order in the period ("sold in the period").</param>
/// <param name="SellingWhenBuilt">Distributors selling when the report was built (<see cref="Routing.SellingNow"/>): what /api/status said then.</param>
/// <param name="ActiveDistributors">Distributors with no flag open at any time in the period.</param>
/// <param name="Coverage">How much of the period the gateway observed.</param>
/// <param name="SellingDistributors">Only in reports stored before <paramref name="SoldDistributors"/>, where it meant the same; read, never written.</param>
internal sealed record OversightReport(
    string Id,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset CreatedAt,
    int RegisteredDistributors,
    int SoldDistributors,
    IReadOnlyList<string> Findings,
    ReportTotals Totals,
    IReadOnlyList<ReportDistributorRow> Distributors,
    ReportTimeline? Timeline = null,
    SurgeHeadroom? Headroom = null,
    IReadOnlyList<RemovedDistributorRow>? RemovedDistributors = null,
    IReadOnlyList<OrphanOrderRow>? OrphanOrders = null,
    IReadOnlyList<OverchargeRow>? Overcharges = null,
    int? SellingWhenBuilt = null,
    int? ActiveDistributors = null,
    ReportCoverage? Coverage = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SellingDistributors = null)
{
    /// <summary>A report as stored before the counts were renamed reads with its figures in their new places.</summary>
    internal OversightReport Upgraded() =>
        SellingDistributors is { } sold ? this with { SoldDistributors = sold, SellingDistributors = null } : this;
}

/// <summary>How much of a period the gateway observed: probes stand for one probe interval each.</summary>
internal sealed record ReportCoverage(double ObservedSeconds, double PeriodSeconds)
{
    /// <summary>"the gateway observed 2 min of these 60 min".</summary>
    public string Describe() => ActivityRules.Observed(ObservedSeconds, PeriodSeconds);
}

internal sealed record ReportTotals(
    int OrdersIssued,
    int EMeteraiIssued,
    long AmountIssued,
    int Undelivered,
    int RefundsOwed,
    long RefundsOwedAmount,
    int RefundsMade,
    long RefundsMadeAmount);

/// <summary>One distributor's line in the report (and one row of its CSV).</summary>
/// <param name="Availability">Share of the observed time it was able to sell: healthy and in stock, not refusing every order.</param>
/// <param name="Failures">Orders offered that it did not take: refused (out of stock included) plus ambiguous answers.</param>
/// <param name="Reachability">Share of probes it answered healthy, whether or not it had stock.</param>
/// <param name="SellingWhenBuilt">Selling when the report was built (<see cref="Routing.SellingNow"/>).</param>
internal sealed record ReportDistributorRow(
    string Id,
    string Name,
    string State,
    double? Availability,
    int Probes,
    int StockOutProbes,
    int OrdersIssued,
    int EMeteraiIssued,
    int Failures,
    int Undelivered,
    int RefundsOwed,
    long RefundsOwedAmount,
    int RefundsMade,
    long RefundsMadeAmount,
    IReadOnlyList<string> Flags,
    int? Refused = null,
    int? Ambiguous = null,
    double? Reachability = null,
    bool? SellingWhenBuilt = null);

/// <summary>
/// A distributor no longer in the registry whose purchases are still open in the ledger, at the
/// time of the report: what it still owes (reconciliation keeps resolving them at its last address).
/// </summary>
/// <param name="Unresolved">Purchases charged or possibly charged and not final (pending, refund_due, in_progress abandoned by its gateway).</param>
/// <param name="RefundsOwed">Of those, the refunds due.</param>
internal sealed record RemovedDistributorRow(string Id, int Unresolved, int RefundsOwed, long RefundsOwedAmount);

/// <summary>
/// An order a distributor issued for a purchase that had been released or sold by another
/// distributor after this one's answer was lost. The docs/api/distributor-api.md allows no refund of an issued
/// order, so the distributor owes the applicant a credit. Listed whatever its date until settled outside the gateway.
/// </summary>
internal sealed record OrphanOrderRow(string DistributorId, string PurchaseId, string? OrderId, int Quantity, long? Amount, DateTimeOffset? FoundAt);

/// <summary>
/// An order a distributor charged more than <c>quantity</c> × 10,000 for (docs/api/gateway-api.md: overcharges),
/// found in the period. The order still counted; the applicant is owed the difference.
/// </summary>
internal sealed record OverchargeRow(string OrderId, string DistributorId, string PurchaseId, int Quantity, long AmountCharged, long AmountDue, DateTimeOffset FoundAt);

/// <summary>The reports list (docs/api/gateway-api.md: GET /api/oversight/reports, newest first).</summary>
internal sealed record ReportSummary(string Id, DateTimeOffset From, DateTimeOffset To, DateTimeOffset CreatedAt);
