namespace Meterai.Gateway.Oversight;

/// <summary>What the ledger and the probes show about one distributor over one period.</summary>
/// <param name="Refusals">Orders it refused without charging, out-of-stock answers included.</param>
/// <param name="ObservedSeconds">How much of the period the gateway watched it (its probes × the probe interval); null when not known.</param>
internal sealed record ActivityEvidence(
    string DistributorId,
    int Probes,
    int HealthyProbes,
    int SoldOutProbes,
    int OrdersIssued,
    int EMeteraiIssued,
    int Offers,
    int Refusals,
    int Undelivered,
    double? ObservedSeconds = null,
    IReadOnlyList<OverchargeRow>? Overcharges = null)
{
    /// <summary>Share of probes it answered healthy (GET /health 200): what the <c>unreachable</c> rule judges. Null with no probes.</summary>
    public double? Reachability => Probes == 0 ? null : (double)HealthyProbes / Probes;

    /// <summary>
    /// Share of the observed time it was able to sell (docs/oversight-rules.md): probes that found it
    /// healthy and in stock; 0 when it refused every order it was offered. Null with no probes.
    /// </summary>
    public double? Availability => Share(Probes, HealthyProbes, SoldOutProbes, Offers, OrdersIssued, Refusals);

    /// <summary>Share of healthy probes that found it sold out; null when never healthy.</summary>
    public double? SoldOutShare => HealthyProbes == 0 ? null : (double)SoldOutProbes / HealthyProbes;

    public static ActivityEvidence None(string distributorId) => new(distributorId, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Availability from its parts, for a period or one hour: one formula wherever it is shown.</summary>
    internal static double? Share(long probes, long healthy, long soldOut, long offers, long sold, long refused) =>
        probes == 0 ? null
        : offers > 0 && sold == 0 && refused >= offers ? 0
        : (double)Math.Max(0, healthy - soldOut) / probes;
}

/// <summary>One reason the rules found, with its evidence as numbers and as a sentence.</summary>
internal sealed record FlagFinding(string DistributorId, string Reason, FlagEvidence Evidence);

/// <summary>The numbers and period that justify a flag (docs/api/gateway-api.md: a flag's <c>evidence</c>).</summary>
/// <param name="Availability">Share of the observed time it was able to sell: healthy and in stock, not refusing every order.</param>
/// <param name="Reachability">Share of probes it answered healthy; null in flags opened before it was recorded.</param>
/// <param name="ObservedSeconds">How much of the period the gateway observed; null in flags opened before it was recorded.</param>
/// <param name="Overcharges">The orders it charged above quantity × 10,000; only on an <c>overcharged</c> flag.</param>
internal sealed record FlagEvidence(
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
    IReadOnlyList<OverchargeRow>? Overcharges = null,
    double? Reachability = null,
    double? ObservedSeconds = null,
    double? PeriodSeconds = null);
