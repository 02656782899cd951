namespace Meterai.Gateway.Oversight;

/// <summary>An ombudsman-style finding over one period. Stored as JSON once and never changed.</summary>
/// <remarks>Timeline and Headroom are null in reports stored before they existed.</remarks>
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
    SurgeHeadroom? Headroom = null);

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

/// <summary>The reports list (gateway spec: GET /api/oversight/reports, newest first).</summary>
public sealed record ReportSummary(string Id, DateTimeOffset From, DateTimeOffset To, DateTimeOffset CreatedAt);
