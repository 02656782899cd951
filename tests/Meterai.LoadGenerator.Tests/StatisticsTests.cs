using Meterai.LoadGenerator;

namespace Meterai.LoadGenerator.Tests;

public sealed class StatisticsTests
{
    [Fact]
    public void Spearman_SameOrderAndReversed_IsOneAndMinusOne()
    {
        double[] arrival = [1, 2, 3, 4, 5];

        Assert.Equal(1, RankCorrelation.Spearman(arrival, [10, 20, 30, 40, 50]), precision: 12);
        Assert.Equal(-1, RankCorrelation.Spearman(arrival, [50, 40, 30, 20, 10]), precision: 12);
    }

    [Fact]
    public void Spearman_TiedValues_MatchesScipysDocumentedExample()
    {
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) = 0.8207826816681233.
        Assert.Equal(0.8207826816681233, RankCorrelation.Spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), precision: 12);
    }

    [Fact]
    public void Spearman_ConstantSideOrTooFewPairs_IsNaN()
    {
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 2, 3], [4, 4, 4])));
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1], [2])));
    }

    [Fact]
    public void Ranks_Ties_ShareTheMeanOfTheRanksTheySpan()
    {
        Assert.Equal([1, 3, 3, 5, 3], RankCorrelation.Ranks([10, 20, 20, 30, 20]));
    }

    [Fact]
    public void Percentiles_TenSamples_AreNearestRank()
    {
        var figures = Percentiles.Of([.. Enumerable.Range(1, 10).Select(i => (double)i).Reverse()]);

        Assert.Equal((10, 5, 9, 10, 10), (figures.Count, figures.P50, figures.P90, figures.P99, figures.Max));
    }

    [Fact]
    public void GroupFigures_ServedAndUnserved_WaitsCountOnlyTheServed()
    {
        ApplicantRecord[] group =
        [
            new(0, Polite: true, ArrivalSeconds: 0, AnsweredSeconds: 2, FinalStatus: 201, Requests: 2),
            new(2, Polite: true, ArrivalSeconds: 1, AnsweredSeconds: 5, FinalStatus: 201, Requests: 3),
            new(4, Polite: true, ArrivalSeconds: 2, AnsweredSeconds: null, FinalStatus: 503, Requests: 7),
        ];

        var figures = GroupFigures.Of(group);

        Assert.Equal((3, 2, 1), (figures.Applicants, figures.Served, figures.Unserved));
        Assert.Equal((2, 4), (figures.Wait.P50, figures.Wait.P90));
        Assert.Equal(4, figures.RequestsPerApplicant);
    }
}
