using Meterai.Gateway.Oversight;

namespace Meterai.Gateway.Tests.Oversight;

public sealed class ActivityRulesTests
{
    private static readonly DateTimeOffset From = new(2024, 9, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddHours(1);
    private static readonly OversightOptions Rules = new();

    [Fact]
    public void Evaluate_DownAllWindow_FlagsUnreachableOnlyWithEvidence()
    {
        var evidence = Evidence(probes: 8, healthy: 0);

        var finding = Assert.Single(ActivityRules.Evaluate(evidence, fleetOrdersIssued: 500, From, To, Rules));

        Assert.Equal(FlagReasons.Unreachable, finding.Reason);
        Assert.Equal(0, finding.Evidence.Availability);
        Assert.Equal(8, finding.Evidence.Probes);
        Assert.Equal(0.8, finding.Evidence.Threshold);
        Assert.Equal(From, finding.Evidence.From);
        Assert.Contains("Answered 0 of 8 health probes (0%)", finding.Evidence.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(0, 0)]
    public void Evaluate_TooFewProbes_JudgesNoProbeReason(int probes, int healthy)
    {
        Assert.Empty(ActivityRules.Evaluate(Evidence(probes, healthy), fleetOrdersIssued: 0, From, To, Rules));
    }

    [Fact]
    public void Evaluate_SoldOutInMostProbes_FlagsNoStock()
    {
        var finding = Assert.Single(ActivityRules.Evaluate(Evidence(probes: 8, healthy: 8, soldOut: 5), 500, From, To, Rules));

        Assert.Equal(FlagReasons.NoStock, finding.Reason);
        Assert.Contains("no stock in 5 of 8 probes", finding.Evidence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SoldOutInFewProbesAndSelling_IsActive()
    {
        Assert.Empty(ActivityRules.Evaluate(Evidence(probes: 8, healthy: 8, soldOut: 3, issued: 12), 500, From, To, Rules));
    }

    [Fact]
    public void Evaluate_HealthyStockedIdleWhileOthersSold_FlagsNoSales()
    {
        var finding = Assert.Single(ActivityRules.Evaluate(Evidence(probes: 8, healthy: 8), fleetOrdersIssued: 20, From, To, Rules));

        Assert.Equal(FlagReasons.NoSales, finding.Reason);
        Assert.Equal(20, finding.Evidence.FleetOrdersIssued);
    }

    [Fact]
    public void Evaluate_HealthyStockedIdleInQuietHour_IsActive()
    {
        Assert.Empty(ActivityRules.Evaluate(Evidence(probes: 8, healthy: 8), fleetOrdersIssued: 19, From, To, Rules));
    }

    [Fact]
    public void Evaluate_RefusedEveryOffer_FlagsNoSalesEvenInQuietHour()
    {
        var finding = Assert.Single(ActivityRules.Evaluate(Evidence(probes: 8, healthy: 8, offers: 4, refusals: 4), fleetOrdersIssued: 0, From, To, Rules));

        Assert.Equal(FlagReasons.NoSales, finding.Reason);
        Assert.Contains("offered 4 orders", finding.Evidence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnreachableAndIdle_GivesOneExplanation()
    {
        var findings = ActivityRules.Evaluate(Evidence(probes: 8, healthy: 2, soldOut: 2, offers: 3, refusals: 3), 500, From, To, Rules);

        Assert.Equal([FlagReasons.Unreachable], findings.Select(f => f.Reason));
    }

    [Fact]
    public void Evaluate_UndeliveredAtThreshold_FlagsUndeliveredBesideSales()
    {
        var findings = ActivityRules.Evaluate(Evidence(probes: 8, healthy: 8, issued: 40, undelivered: 3), 500, From, To, Rules);

        Assert.Equal([FlagReasons.Undelivered], findings.Select(f => f.Reason));
    }

    [Theory]
    [InlineData(FlagReasons.Unreachable, 3, 0, 0, false)]
    [InlineData(FlagReasons.Unreachable, 4, 0, 0, true)]
    [InlineData(FlagReasons.NoSales, 8, 0, 0, false)]
    [InlineData(FlagReasons.NoSales, 8, 1, 0, true)]
    [InlineData(FlagReasons.Undelivered, 8, 0, 3, false)]
    [InlineData(FlagReasons.Undelivered, 8, 0, 2, true)]
    public void Resolves_NeedsEnoughEvidence(string reason, int probes, int issued, int undelivered, bool expected)
    {
        Assert.Equal(expected, ActivityRules.Resolves(reason, Evidence(probes, probes, issued: issued, undelivered: undelivered), Rules));
    }

    [Fact]
    public void Evaluate_OrderChargedAboveItsDue_FlagsOverchargedWithBothAmounts()
    {
        var overcharge = new OverchargeRow("ord_1", "d99", "pur_1", 1, 15_000, 10_000, From.AddMinutes(5));
        var evidence = Evidence(probes: 8, healthy: 8, issued: 3) with { Overcharges = [overcharge] };

        var finding = Assert.Single(ActivityRules.Evaluate(evidence, fleetOrdersIssued: 50, From, To, Rules));

        Assert.Equal(FlagReasons.Overcharged, finding.Reason);
        Assert.Equal([overcharge], finding.Evidence.Overcharges!);
        Assert.Contains("order ord_1 charged Rp 15.000 for 1 e-Meterai, Rp 10.000 due", finding.Evidence.Summary, StringComparison.Ordinal);
        Assert.False(ActivityRules.Resolves(FlagReasons.Overcharged, evidence, Rules));
        Assert.True(ActivityRules.Resolves(FlagReasons.Overcharged, Evidence(probes: 8, healthy: 8, issued: 3), Rules));
    }

    private static ActivityEvidence Evidence(int probes, int healthy, int soldOut = 0, int issued = 0, int offers = 0, int refusals = 0, int undelivered = 0) =>
        new("d99", probes, healthy, soldOut, issued, issued, offers, refusals, undelivered);
}
