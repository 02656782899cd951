
namespace Meterai.Gateway.Oversight;

/// <summary>
/// How close the fleet came to its capacity at the period's peak, and how many more distributors
/// would have served everyone (docs/oversight-rules.md, "Surge headroom", states the method).
/// </summary>
/// <param name="PeakHour">The hour with the most demand; null when nobody asked to buy.</param>
/// <param name="PeakDemand">Purchases asked for in that hour, refused ones included.</param>
/// <param name="CapacityAtPeak">Orders per hour the fleet could take in that hour; null when not measured.</param>
/// <param name="SellingAtPeak">Distributors selling (healthy, in stock, not refusing orders) in most of that hour.</param>
/// <param name="MedianDistributorCapacity">Median over distributors of their mean orders per hour while able to sell.</param>
/// <param name="MoreDistributorsNeeded">Distributors at median capacity that would have served the peak; 0 with headroom, null when unknown.</param>
internal sealed record SurgeHeadroom(
    DateTimeOffset? PeakHour,
    int PeakDemand,
    double? CapacityAtPeak,
    int SellingAtPeak,
    double? MedianDistributorCapacity,
    int? MoreDistributorsNeeded,
    int Refused,
    DateTimeOffset? MostRefusedHour,
    int MostRefusedInAnHour,
    double? PeakObservedSeconds = null)
{
    public static SurgeHeadroom From(ReportTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var peak = timeline.Fleet.Where(h => h.Demand > 0).OrderByDescending(h => h.Demand).ThenBy(h => h.Hour).FirstOrDefault();
        var perDistributor = timeline.Distributors
            .Select(d => d.Hours.Where(h => h.CapacityPerHour > 0).Select(h => h.CapacityPerHour!.Value).ToList())
            .Where(c => c.Count > 0)
            .Select(c => c.Average())
            .ToList();
        var median = Median(perDistributor);
        int? more = null;
        if (peak?.CapacityPerHour is { } capacity)
        {
            more = capacity >= peak.Demand ? 0
                : median is > 0 ? (int)Math.Ceiling((peak.Demand - capacity) / median.Value)
                : null;
        }

        var mostRefused = timeline.Fleet.Where(h => h.Refused > 0).OrderByDescending(h => h.Refused).ThenBy(h => h.Hour).FirstOrDefault();
        return new SurgeHeadroom(
            peak?.Hour,
            peak?.Demand ?? 0,
            peak?.CapacityPerHour,
            peak?.SellingDistributors ?? 0,
            median,
            more,
            timeline.Fleet.Sum(h => h.Refused),
            mostRefused?.Hour,
            mostRefused?.Refused ?? 0,
            peak?.ObservedSeconds);
    }

    /// <summary>The finding in plain words, the way a regulator would read it.</summary>
    public IReadOnlyList<string> Findings()
    {
        var findings = new List<string>();
        if (PeakHour is not { } peak)
        {
            findings.Add("No applicant asked to buy e-Meterai in this period, so it shows nothing about surge headroom.");
        }
        else
        {
            // A partly observed hour's count is what was seen, not a rate for the hour.
            var asked = PeakObservedSeconds is { } seen and < 3600
                ? $"At the peak, in the hour from {ActivityRules.Format(peak)}, of which the gateway observed {ActivityRules.Duration(seen)}, applicants asked for {Count(PeakDemand)} purchases"
                : $"At the peak, in the hour from {ActivityRules.Format(peak)}, applicants asked for {Count(PeakDemand)} purchases per hour";
            findings.Add(CapacityAtPeak is not { } capacity
                ? asked + "; the fleet's capacity in that hour was not measured."
                : MoreDistributorsNeeded == 0
                    ? $"{asked}; the {Selling()} could serve {Count(capacity)} per hour, so the fleet had room for {Count(capacity - PeakDemand)} more."
                    : MoreDistributorsNeeded is { } more
                        ? $"{asked}; the {Selling()} could serve {Count(capacity)} per hour; {more} more {(more == 1 ? "distributor" : "distributors")} at median capacity ({Count(MedianDistributorCapacity ?? 0)} per hour) would have served everyone."
                        : $"{asked}; the {Selling()} could serve {Count(capacity)} per hour; no distributor's capacity was measured, so how many more were needed is unknown.");
        }

        findings.Add(Refused == 0
            ? "No applicant was refused for lack of capacity (503)."
            : $"{Count(Refused)} {(Refused == 1 ? "request was" : "requests were")} refused for lack of capacity (503); the most in one hour was {Count(MostRefusedInAnHour)}, in the hour from {ActivityRules.Format(MostRefusedHour!.Value)}.");
        return findings;
    }

    private string Selling() => SellingAtPeak == 1
        ? "1 distributor selling in that hour"
        : $"{SellingAtPeak} distributors selling in that hour";

    private static string Count(double value) => ReportCharts.Count(value);

    /// <summary>The median; null for no values. Sorts the list.</summary>
    internal static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
