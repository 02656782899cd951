namespace Meterai.LoadGenerator;

/// <summary>Spearman's rank correlation: how closely one order follows another (1 = the same order, −1 = reversed).</summary>
internal static class RankCorrelation
{
    /// <summary>
    /// Pearson's correlation of the two samples' ranks, tied values sharing the mean of their ranks
    /// (so equal completion times neither reward nor punish the order); NaN with fewer than two pairs
    /// or when either side is constant.
    /// </summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException("Both samples need the same number of values.", nameof(y));
        }

        if (x.Count < 2)
        {
            return double.NaN;
        }

        var rx = Ranks(x);
        var ry = Ranks(y);
        var mean = (x.Count + 1) / 2.0; // mean rank on both sides, ties or not
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            var dx = rx[i] - mean;
            var dy = ry[i] - mean;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>1-based ranks; a run of equal values gets the mean of the ranks it spans.</summary>
    internal static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            var shared = (start + end + 2) / 2.0;
            for (var k = start; k <= end; k++)
            {
                ranks[order[k]] = shared;
            }

            start = end + 1;
        }

        return ranks;
    }
}
