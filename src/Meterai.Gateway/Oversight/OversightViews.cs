namespace Meterai.Gateway.Oversight;

/// <summary>A flag as regulators see it (docs/api/gateway-api.md: GET /api/oversight/flags).</summary>
public sealed record FlagView(
    string FlagId,
    string DistributorId,
    string Reason,
    FlagEvidence Evidence,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt);

/// <summary>A distributor as regulators see it (docs/api/gateway-api.md: GET /api/oversight/distributors).</summary>
/// <param name="ConcurrencyLimit">Orders in flight the gateway allows it now: learned, never above its registry maxConcurrency.</param>
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
    IReadOnlyList<FlagView> Flags);

/// <summary>What one audit changed (docs/api/gateway-api.md: POST /api/oversight/audit).</summary>
public sealed record AuditResult(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<FlagView> Opened, IReadOnlyList<FlagView> Resolved);
