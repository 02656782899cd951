namespace Meterai.Gateway.Oversight;

/// <summary>An ombudsman-style finding over one period. Stored as JSON once and never changed.</summary>
/// <remarks>Timeline, Headroom, RemovedDistributors, OrphanOrders and Overcharges are null in reports stored before they existed.</remarks>
public sealed record OversightReport(
    string Id,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset CreatedAt,
    int RegisteredDistributors,
    int SellingDistributors,
    IReadOnlyList<string> Findings,
    ReportTotals Totals,
    IReadOnlyList<ReportDistributorRow> Distributors,
    ReportTimeline? Timeline = null,
    SurgeHeadroom? Headroom = null,
    IReadOnlyList<RemovedDistributorRow>? RemovedDistributors = null,
    IReadOnlyList<OrphanOrderRow>? OrphanOrders = null,
    IReadOnlyList<OverchargeRow>? Overcharges = null);

public sealed record ReportTotals(
    int OrdersIssued,
    int EMeteraiIssued,
    long AmountIssued,
    int Undelivered,
    int RefundsOwed,
    long RefundsOwedAmount,
    int RefundsMade,
    long RefundsMadeAmount);

/// <summary>One distributor's line in the report (and one row of its CSV).</summary>
public sealed record ReportDistributorRow(
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
    IReadOnlyList<string> Flags);

/// <summary>
/// A distributor no longer in the registry whose purchases are still open in the ledger, at the
/// time of the report: what it still owes (reconciliation keeps resolving them at its last address).
/// </summary>
/// <param name="Unresolved">Purchases charged or possibly charged and not final (pending, refund_due, in_progress abandoned by its gateway).</param>
/// <param name="RefundsOwed">Of those, the refunds due.</param>
public sealed record RemovedDistributorRow(string Id, int Unresolved, int RefundsOwed, long RefundsOwedAmount);

/// <summary>
/// An order a distributor issued for a purchase that had been released or sold by another
/// distributor after this one's answer was lost. The docs/api/distributor-api.md allows no refund of an issued
/// order, so the distributor owes the applicant a credit. Listed whatever its date until settled outside the gateway.
/// </summary>
public sealed record OrphanOrderRow(string DistributorId, string PurchaseId, string? OrderId, int Quantity, long? Amount, DateTimeOffset? FoundAt);

/// <summary>
/// An order a distributor charged more than <c>quantity</c> × 10,000 for (docs/api/gateway-api.md: overcharges),
/// found in the period. The order still counted; the applicant is owed the difference.
/// </summary>
public sealed record OverchargeRow(string OrderId, string DistributorId, string PurchaseId, int Quantity, long AmountCharged, long AmountDue, DateTimeOffset FoundAt);

/// <summary>The reports list (docs/api/gateway-api.md: GET /api/oversight/reports, newest first).</summary>
public sealed record ReportSummary(string Id, DateTimeOffset From, DateTimeOffset To, DateTimeOffset CreatedAt);
