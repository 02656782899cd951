using System.Xml.Linq;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Probing;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// Issue 29: what the report and the flags state about availability, coverage and hours the
/// gateway never saw, as pure functions of the evidence.
/// </summary>
public sealed class ReportFactsTests
{
    private static readonly DateTimeOffset From = new(2026, 12, 7, 0, 6, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddHours(1);
    private static readonly OversightOptions Rules = new();

    [Fact]
    public void Availability_HealthyButSoldOutInEveryProbe_IsZeroWhileReachabilityIsFull()
    {
        var evidence = new ActivityEvidence("d16", Probes: 8, HealthyProbes: 8, SoldOutProbes: 8, 0, 0, 0, 0, 0);

        Assert.Equal(0, evidence.Availability);
        Assert.Equal(1, evidence.Reachability);

        // Its flag is still the true reason, not "unreachable".
        Assert.Equal(FlagReasons.NoStock, Assert.Single(ActivityRules.Evaluate(evidence, 500, From, To, Rules)).Reason);
    }

    [Fact]
    public void Availability_HealthyStockedButRefusedEveryOrderOffered_IsZero()
    {
        var evidence = new ActivityEvidence("d14", Probes: 8, HealthyProbes: 8, SoldOutProbes: 0, OrdersIssued: 0, EMeteraiIssued: 0, Offers: 13, Refusals: 13, Undelivered: 0);

        Assert.Equal(0, evidence.Availability);
        Assert.Equal(1, evidence.Reachability);
    }

    [Fact]
    public void Availability_SoldSomeOrders_IsTheShareOfProbesHealthyAndInStock()
    {
        var evidence = new ActivityEvidence("d24", Probes: 8, HealthyProbes: 6, SoldOutProbes: 2, OrdersIssued: 5, EMeteraiIssued: 9, Offers: 9, Refusals: 4, Undelivered: 0);

        Assert.Equal(0.5, evidence.Availability);
    }

    [Fact]
    public void Evaluate_GatewayUpTwoMinutesOfTheHour_EvidenceSaysSo()
    {
        var observed = ActivityAuditor.Observed(probes: 8, (To - From).TotalSeconds, new ProbingOptions());
        var evidence = new ActivityEvidence("d20", Probes: 8, HealthyProbes: 0, SoldOutProbes: 0, 0, 0, 0, 0, 0, observed);

        var finding = Assert.Single(ActivityRules.Evaluate(evidence, 500, From, To, Rules));

        Assert.Equal(120, finding.Evidence.ObservedSeconds);
        Assert.Equal(3600, finding.Evidence.PeriodSeconds);
        Assert.Contains("(the gateway observed 2 min of these 60 min)", finding.Evidence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Observed_MoreProbesThanThePeriodHolds_IsThePeriod()
    {
        Assert.Equal(3600, ActivityAuditor.Observed(probes: 1000, 3600, new ProbingOptions()));
    }

    [Fact]
    public void Shape_GatewayStartedInTheLastHour_EarlierHoursAreNotObservedAndDrawNoDemand()
    {
        // A 4-hour period; the gateway ran only from 03:58: eight probes and 40 orders in the last hour.
        var from = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var last = from.AddHours(3).ToUnixTimeMilliseconds();
        var rows = new HourlyRows(
            [new HourlyProbeRow { DistributorId = "d01", HourStart = last, Probes = 8, Healthy = 8 }],
            [new HourlyAttemptRow { DistributorId = "d01", HourStart = last, Sold = 40, EMeterai = 80, Served = 40, Offers = 40 }],
            [],
            new Dictionary<long, long>());

        var timeline = ReportTimelineReader.Shape([("d01", "PT Uji")], from, from.AddHours(4), rows, new ProbingOptions());

        Assert.Equal([0d, 0d, 0d, 120d], timeline.Fleet.Select(h => h.ObservedSeconds!.Value));
        Assert.Equal([false, false, false, true], timeline.Fleet.Select(h => h.WasObserved()));
        Assert.Equal([null, null, null, 1d], timeline.Distributors[0].Hours.Select(h => h.Availability));

        // The chart's demand line has one mark, at the last hour: no ramp from 00:00.
        var svg = XDocument.Parse(System.Text.RegularExpressions.Regex.Match(ReportCharts.Fleet(timeline, ReaderClock.Wib).Value, "<svg[\\s\\S]*?</svg>").Value);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var demand = svg.Descendants().Where(e => (string?)e.Attribute("stroke") == "#a3161a" || (string?)e.Attribute("fill") == "#a3161a").ToList();
        var mark = Assert.Single(demand);
        Assert.Equal(ns + "circle", mark.Name);
        var step = (360d - 34 - 6) / 4;
        Assert.Equal(34 + (3 * step) + (step / 2), double.Parse((string)mark.Attribute("cx")!, System.Globalization.CultureInfo.InvariantCulture), 1);

        // And the tables list the three hours as one "not observed" row, labelled in WIB (00:00 UTC is 07:00 WIB).
        var table = ReportPage.HourRows(timeline.Fleet, ReaderClock.Wib).ToList();
        Assert.Equal(2, table.Count);
        Assert.Equal(("7 Dec 07:00 – 7 Dec 09:00", (FleetHour?)null), table[0]);
    }

    [Fact]
    public void Findings_PeakInAPartlyObservedHour_SaysHowMuchOfItWasSeen()
    {
        var hour = new FleetHour(From, Sold: 40, EMeterai: 80, Refused: 0, Demand: 40, CapacityPerHour: 1000, SellingDistributors: 10, ObservedSeconds: 120, DistributorsSold: 10);

        var finding = SurgeHeadroom.From(new ReportTimeline([hour], [])).Findings()[0];

        Assert.Contains("of which the gateway observed 2 min, applicants asked for 40 purchases;", finding, StringComparison.Ordinal);
        Assert.Contains("the 10 distributors selling in that hour could serve", finding, StringComparison.Ordinal);
    }
}
