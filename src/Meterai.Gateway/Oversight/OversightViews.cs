namespace Meterai.Gateway.Oversight;

/// <summary>A flag as regulators see it (docs/api/gateway-api.md: GET /api/oversight/flags).</summary>
internal sealed record FlagView(
    string FlagId,
    string DistributorId,
    string Reason,
    FlagEvidence Evidence,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt);

/// <summary>A distributor as regulators see it (docs/api/gateway-api.md: GET /api/oversight/distributors).</summary>
/// <param name="ConcurrencyLimit">Orders in flight the gateway allows it now: learned, never above its registry maxConcurrency.</param>
/// <param name="Availability">Share of the audit window it was able to sell: healthy and in stock by probe, not refusing every order.</param>
/// <param name="SellingNow">Selling now (<see cref="Routing.SellingNow"/>): the distributors /api/status counts. Not the same as <paramref name="State"/>: flags do not stop routing.</param>
/// <param name="Reachability">Share of the audit window's probes it answered healthy, stock or not.</param>
internal sealed record DistributorOversightView(
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

/// <summary>What one audit changed (docs/api/gateway-api.md: POST /api/oversight/audit).</summary>
internal sealed record AuditResult(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<FlagView> Opened, IReadOnlyList<FlagView> Resolved);

/// <summary>One distributor's page: its state now, its flags of the period (open and resolved), and the period day by day.</summary>
internal sealed record DistributorHistory(DistributorOversightView Distributor, IReadOnlyList<DistributorDay> Days, IReadOnlyList<FlagView> Flags);

/// <summary>One local day of one distributor.</summary>
/// <param name="Day">Midnight, in the pages' zone.</param>
/// <param name="Offers">Orders the gateway offered it (every attempt).</param>
/// <param name="Sold">Orders it took (issued, or paid and pending).</param>
/// <param name="Refused">Orders it turned away without charging (refused, sold out).</param>
/// <param name="Undelivered">Purchases it took payment for and did not deliver within the delivery deadline.</param>
internal sealed record DistributorDay(DateTimeOffset Day, int Probes, int HealthyProbes, int SoldOutProbes, int Offers, int Sold, int Refused, int Undelivered)
{
    /// <summary>Share of the day it was able to sell (<see cref="ActivityEvidence.Share"/>, the one formula); null without probes.</summary>
    public double? Availability => ActivityEvidence.Share(Probes, HealthyProbes, SoldOutProbes, Offers, Sold, Refused);

    /// <summary>Share of the day's probes it answered healthy, stock or not; null without probes.</summary>
    public double? Reachability => Probes == 0 ? null : (double)HealthyProbes / Probes;
}
