namespace Meterai.Gateway.Oversight;

/// <summary>A flag as regulators see it (gateway spec: GET /api/oversight/flags).</summary>
public sealed record FlagView(
    string FlagId,
    string DistributorId,
    string Reason,
    FlagEvidence Evidence,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt);

/// <summary>A distributor as regulators see it (gateway spec: GET /api/oversight/distributors).</summary>
/// <param name="ConcurrencyLimit">Orders in flight the gateway allows it now: learned, never above its registry maxConcurrency.</param>
/// <param name="Availability">Share of the audit window it was able to sell: healthy and in stock by probe, not refusing every order.</param>
/// <param name="SellingNow">Selling now (<see cref="Routing.SellingNow"/>): the distributors /api/status counts. Not the same as <paramref name="State"/>: flags do not stop routing.</param>
/// <param name="Reachability">Share of the audit window's probes it answered healthy, stock or not.</param>
public sealed record DistributorOversightView(
    string Id,
    string Name,
    string State,
    bool? Healthy,
    int? Stock,
    int ConcurrencyLimit,
    double? Availability,
    int Issued,
    int Undelivered,
    IReadOnlyList<FlagView> Flags,
    bool SellingNow = false,
    double? Reachability = null);

/// <summary>What one audit changed (gateway spec: POST /api/oversight/audit).</summary>
public sealed record AuditResult(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<FlagView> Opened, IReadOnlyList<FlagView> Resolved);
