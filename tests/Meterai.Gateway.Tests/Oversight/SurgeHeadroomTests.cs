using Meterai.Gateway.Oversight;

namespace Meterai.Gateway.Tests.Oversight;

public sealed class SurgeHeadroomTests
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void From_PeakAboveCapacity_SaysHowManyMoreDistributorsAtMedianCapacity()
    {
        // Three distributors that could take 20, 20 and 40 orders an hour: median 20. At the peak
        // 150 were asked for and 80 could be served: 70 short, so 4 more at 20 an hour.
        var timeline = new ReportTimeline(
            [Hour(Nine, demand: 30, refused: 0, capacity: 80), Hour(Nine.AddHours(1), demand: 150, refused: 70, capacity: 80)],
            [Distributor("d1", 20), Distributor("d2", 20), Distributor("d3", 40)]);

        var headroom = SurgeHeadroom.From(timeline);

        Assert.Equal(Nine.AddHours(1), headroom.PeakHour);
        Assert.Equal(150, headroom.PeakDemand);
        Assert.Equal(20, headroom.MedianDistributorCapacity);
        Assert.Equal(4, headroom.MoreDistributorsNeeded);
        var findings = headroom.Findings();
        Assert.Equal(
            "At the peak, in the hour from 30 November 2026 10:00 UTC, applicants asked for 150 purchases per hour; the 3 distributors selling in that hour could serve 80 per hour; 4 more distributors at median capacity (20 per hour) would have served everyone.",
            findings[0]);
        Assert.Equal("70 requests were refused for lack of capacity (503); the most in one hour was 70, in the hour from 30 November 2026 10:00 UTC.", findings[1]);
    }

    [Fact]
    public void From_PeakWithinCapacity_StatesTheRoomLeft()
    {
        var timeline = new ReportTimeline([Hour(Nine, demand: 50, refused: 0, capacity: 80)], [Distributor("d1", 40), Distributor("d2", 40)]);

        var headroom = SurgeHeadroom.From(timeline);

        Assert.Equal(0, headroom.MoreDistributorsNeeded);
        Assert.Contains("so the fleet had room for 30 more", headroom.Findings()[0], StringComparison.Ordinal);
        Assert.Equal("No applicant was refused for lack of capacity (503).", headroom.Findings()[1]);
    }

    [Fact]
    public void From_NoDemand_SaysSoAndNeedsNothing()
    {
        var headroom = SurgeHeadroom.From(new ReportTimeline([Hour(Nine, demand: 0, refused: 0, capacity: null)], []));

        Assert.Null(headroom.PeakHour);
        Assert.Null(headroom.MoreDistributorsNeeded);
        Assert.StartsWith("No applicant asked to buy", headroom.Findings()[0], StringComparison.Ordinal);
    }

    private static FleetHour Hour(DateTimeOffset at, int demand, int refused, double? capacity) =>
        new(at, demand - refused, demand - refused, refused, demand, capacity, 3);

    private static DistributorTimeline Distributor(string id, double capacity) =>
        new(id, "PT " + id, [new DistributorHour(Nine, 1, 0, 0, capacity), new DistributorHour(Nine.AddHours(1), 1, 0, 0, capacity)]);
}
