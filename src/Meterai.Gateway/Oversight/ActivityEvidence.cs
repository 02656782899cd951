namespace Meterai.Gateway.Oversight;

/// <summary>What the ledger and the probes show about one distributor over one period.</summary>
public sealed record ActivityEvidence(
    string DistributorId,
    int Probes,
    int HealthyProbes,
    int SoldOutProbes,
    int OrdersIssued,
    int EMeteraiIssued,
    int Offers,
    int Refusals,
    int Undelivered,
    IReadOnlyList<OverchargeRow>? Overcharges = null)
{
    /// <summary>Share of healthy probes; null with no probes at all.</summary>
    public double? Availability => Probes == 0 ? null : (double)HealthyProbes / Probes;

    /// <summary>Share of healthy probes that found it sold out; null when never healthy.</summary>
    public double? SoldOutShare => HealthyProbes == 0 ? null : (double)SoldOutProbes / HealthyProbes;

    public static ActivityEvidence None(string distributorId) => new(distributorId, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>One reason the rules found, with its evidence as numbers and as a sentence.</summary>
public sealed record FlagFinding(string DistributorId, string Reason, FlagEvidence Evidence);

/// <summary>The numbers and period that justify a flag (docs/api/gateway-api.md: a flag's <c>evidence</c>).</summary>
public sealed record FlagEvidence(
    DateTimeOffset From,
    DateTimeOffset To,
    string Summary,
    int Probes,
    int HealthyProbes,
    int SoldOutProbes,
    double? Availability,
    int OrdersIssued,
    int Offers,
    int Refusals,
    int Undelivered,
    int FleetOrdersIssued,
    double Threshold,
    IReadOnlyList<OverchargeRow>? Overcharges = null);
