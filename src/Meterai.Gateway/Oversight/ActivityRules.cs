using System.Globalization;
using Meterai.Gateway.Distributors;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The activity rules, as a pure function of the evidence so they can be read, tested and
/// explained apart from where the numbers come from. docs/oversight-rules.md says the same in prose.
/// </summary>
internal static class ActivityRules
{
    /// <summary>Every reason one distributor is inactive over the period; empty when it is active.</summary>
    /// <param name="fleetOrdersIssued">Orders every other distributor issued in the same period.</param>
    public static IReadOnlyList<FlagFinding> Evaluate(
        ActivityEvidence evidence, int fleetOrdersIssued, DateTimeOffset from, DateTimeOffset to, OversightOptions rules)
    {
        var findings = new List<FlagFinding>();
        var period = Period(from, to, evidence.ObservedSeconds);
        var enoughProbes = evidence.Probes >= rules.MinimumProbes;

        if (enoughProbes && evidence.Reachability < rules.AvailabilityThreshold)
        {
            findings.Add(Finding(FlagReasons.Unreachable, rules.AvailabilityThreshold,
                $"Answered {evidence.HealthyProbes} of {evidence.Probes} health probes ({Percent(evidence.Reachability!.Value)}) {period}; "
                + $"the rule asks for {Percent(rules.AvailabilityThreshold)}."));
        }

        var unreachable = findings.Count > 0;
        if (enoughProbes && !unreachable && evidence.SoldOutShare >= rules.SoldOutThreshold)
        {
            findings.Add(Finding(FlagReasons.NoStock, rules.SoldOutThreshold,
                $"Reported no stock in {evidence.SoldOutProbes} of {evidence.HealthyProbes} probes while healthy ({Percent(evidence.SoldOutShare!.Value)}) {period}."));
        }

        // Judged only for a distributor that was reachable and stocked: otherwise the reason above already says why it did not sell.
        if (findings.Count == 0 && evidence.OrdersIssued == 0)
        {
            if (evidence.Offers > 0)
            {
                findings.Add(Finding(FlagReasons.NoSales, rules.MinimumFleetSales,
                    $"Was offered {evidence.Offers} orders {period} and issued none ({evidence.Refusals} refused outright)."));
            }
            else if (enoughProbes && fleetOrdersIssued >= rules.MinimumFleetSales)
            {
                findings.Add(Finding(FlagReasons.NoSales, rules.MinimumFleetSales,
                    $"Issued no e-Meterai {period} while being healthy and in stock, as the other distributors issued {fleetOrdersIssued} orders."));
            }
        }

        if (evidence.Undelivered >= rules.UndeliveredThreshold)
        {
            findings.Add(Finding(FlagReasons.Undelivered, rules.UndeliveredThreshold,
                $"Took payment for {evidence.Undelivered} purchases {period} and did not deliver them within the delivery deadline."));
        }

        // One order charged above its due is enough: the evidence names each order and both amounts.
        if (evidence.Overcharges is { Count: > 0 } overcharges)
        {
            findings.Add(Finding(FlagReasons.Overcharged, 1,
                $"Charged more than {ReportBuilder.Rupiah(OrderAmounts.PerEMeterai)} per e-Meterai for {(overcharges.Count == 1 ? "1 order" : $"{overcharges.Count} orders")} {period}: "
                + string.Join("; ", overcharges.Select(o => $"order {o.OrderId} charged {ReportBuilder.Rupiah(o.AmountCharged)} for {o.Quantity} e-Meterai, {ReportBuilder.Rupiah(o.AmountDue)} due"))
                + "."));
        }

        return findings;

        FlagFinding Finding(string reason, double threshold, string summary) => new(
            evidence.DistributorId,
            reason,
            new FlagEvidence(from, to, summary, evidence.Probes, evidence.HealthyProbes, evidence.SoldOutProbes, evidence.Availability,
                evidence.OrdersIssued, evidence.Offers, evidence.Refusals, evidence.Undelivered, fleetOrdersIssued, threshold,
                reason == FlagReasons.Overcharged ? evidence.Overcharges : null,
                evidence.Reachability, evidence.ObservedSeconds, (to - from).TotalSeconds));
    }

    /// <summary>
    /// Whether an open flag that the rules no longer find is resolved. Thin evidence resolves
    /// nothing: a quiet hour does not prove an idle distributor started selling.
    /// </summary>
    public static bool Resolves(string reason, ActivityEvidence evidence, OversightOptions rules) => reason switch
    {
        FlagReasons.Unreachable or FlagReasons.NoStock => evidence.Probes >= rules.MinimumProbes,
        FlagReasons.NoSales => evidence.OrdersIssued > 0,
        FlagReasons.Overcharged => evidence.Overcharges is not { Count: > 0 },
        _ => evidence.Undelivered < rules.UndeliveredThreshold,
    };

    /// <summary>
    /// "between … and … (the gateway observed 2 min of these 60 min)": every sentence about a period
    /// says how much of it the gateway saw, so a period it mostly did not see is not read as evidence.
    /// </summary>
    internal static string Period(DateTimeOffset from, DateTimeOffset to, double? observedSeconds)
    {
        var between = $"between {Format(from)} and {Format(to)}";
        return observedSeconds is { } observed ? $"{between} ({Observed(observed, (to - from).TotalSeconds)})" : between;
    }

    /// <summary>"the gateway observed 2 min of these 60 min".</summary>
    internal static string Observed(double observedSeconds, double periodSeconds) =>
        observedSeconds >= periodSeconds
            ? $"the gateway observed all {Duration(periodSeconds)}"
            : $"the gateway observed {Duration(observedSeconds)} of these {Duration(periodSeconds)}";

    /// <summary>A length a person reads: "45 s", "2 min", "23 h 58 min", "7 days".</summary>
    internal static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return span.TotalSeconds switch
        {
            < 60 => $"{span.Seconds} s",
            <= 3600 => $"{(int)span.TotalMinutes} min",
            < 172_800 when span.Minutes == 0 => $"{(int)span.TotalHours} h",
            < 172_800 => $"{(int)span.TotalHours} h {span.Minutes} min",
            _ => $"{span.TotalDays:0.#} days",
        };
    }

    internal static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);
}
