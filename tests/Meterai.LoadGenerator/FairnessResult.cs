using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Meterai.LoadGenerator;

/// <summary>One group of applicants (polite or hammering): waits in seconds from arrival to the final 201/202.</summary>
internal sealed record GroupFigures(int Applicants, int Served, Percentiles Wait, double RequestsPerApplicant)
{
    public int Unserved => Applicants - Served;

    public static GroupFigures Of(IReadOnlyCollection<ApplicantRecord> group) => new(
        group.Count,
        group.Count(a => a.Served),
        Percentiles.Of([.. group.Where(a => a.Served).Select(a => a.WaitSeconds!.Value)]),
        group.Count == 0 ? 0 : group.Average(a => a.Requests));
}

/// <summary>What a fairness run measured (issue 28), and how it is printed.</summary>
internal sealed record FairnessResult(
    LoadOptions Options,
    int Offered,
    IReadOnlyList<ApplicantRecord> Applicants,
    IReadOnlyDictionary<int, int> ByStatus,
    int Placed503,
    int Unplaced503,
    IReadOnlyList<double> RetryAfterSeconds,
    double RunSeconds)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public GroupFigures Polite { get; } = GroupFigures.Of([.. Applicants.Where(a => a.Polite)]);

    public GroupFigures Hammering { get; } = GroupFigures.Of([.. Applicants.Where(a => !a.Polite)]);

    public int Served => Polite.Served + Hammering.Served;

    public int Issued => Applicants.Count(a => a.FinalStatus == 201);

    public int Pending => Applicants.Count(a => a.FinalStatus == 202);

    /// <summary>Applicants ended by a 4xx other than 409/429 (e.g. 422): final, but not served.</summary>
    public int Refused => Applicants.Count(a => a.FinalStatus is >= 400 and < 500);

    public int Requests => ByStatus.Values.Sum();

    /// <summary>Seconds from the first arrival (the run's start) to the last sale.</summary>
    public double SellingSeconds => Applicants.Max(a => a.AnsweredSeconds) ?? 0;

    /// <summary>Sales (201 + 202) per second of <see cref="SellingSeconds"/>.</summary>
    public double Goodput => SellingSeconds > 0 ? Served / SellingSeconds : 0;

    /// <summary>Spearman's correlation of arrival order and the order in which the sales' answers completed.</summary>
    public double RankCorrelation
    {
        get
        {
            var served = Applicants.Where(a => a.Served).ToList();
            return LoadGenerator.RankCorrelation.Spearman([.. served.Select(a => (double)a.Index)], [.. served.Select(a => a.AnsweredSeconds!.Value)]);
        }
    }

    /// <summary>Polite median wait ÷ hammering median wait: 1 = retrying faster gains nothing.</summary>
    public double WaitRatio => Hammering.Wait.P50 > 0 ? Polite.Wait.P50 / Hammering.Wait.P50 : double.NaN;

    public double MedianRetryAfter => Percentiles.Of([.. RetryAfterSeconds]).P50;

    public string ToMarkdown()
    {
        var o = Options;
        var sb = new StringBuilder();
        void Line(string text) => sb.Append(text).Append('\n');
        string N(double x, int decimals = 1) => double.IsNaN(x) ? "–" : x.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        string Wait(GroupFigures g) => g.Served == 0 ? "– / –" : $"{N(g.Wait.P50, 2)} / {N(g.Wait.P90, 2)}";

        var targets = o.Targets ?? [o.Url];
        Line($"Fairness: {Applicants.Count} of {Offered} applicants arrived at {N(o.Rate, 0)}/s to {string.Join(", ", targets)} (round-robin per request); "
            + $"{N(100 * o.PoliteShare, 0)} % polite (wait Retry-After, 1 s without one), the rest retry every {N(o.HammerInterval, 2)} s; each gives up {N(o.Timeout.TotalSeconds, 0)} s after arriving.");
        Line("");
        Line("| group | applicants | served | unserved | wait p50 / p90 (s) | requests per applicant |");
        Line("| --- | ---: | ---: | ---: | --- | ---: |");
        Line($"| polite | {Polite.Applicants} | {Polite.Served} | {Polite.Unserved} | {Wait(Polite)} | {N(Polite.RequestsPerApplicant, 2)} |");
        Line($"| hammering | {Hammering.Applicants} | {Hammering.Served} | {Hammering.Unserved} | {Wait(Hammering)} | {N(Hammering.RequestsPerApplicant, 2)} |");
        Line("");
        var share = o.Capacity is { } c ? $" = {N(Goodput / c, 3)} × C (C = {N(c, 0)}/s)" : "";
        Line($"Goodput (201 + 202): {N(Goodput)}/s{share} over {N(SellingSeconds)} s from the first arrival to the last sale; {Issued} issued (201), {Pending} pending (202), {Refused} refused (other 4xx).");
        Line($"Polite ÷ hammering median wait: {N(WaitRatio, 2)}. Rank correlation of arrival and service (Spearman): {N(RankCorrelation, 3)}.");
        Line($"Requests: {Requests}, {N(Requests / (double)Math.Max(1, Applicants.Count), 2)} per applicant. Answers by status: "
            + string.Join(", ", ByStatus.Select(kv => $"{(kv.Key == 0 ? "none (transport failure or out of time)" : kv.Key.ToString(CultureInfo.InvariantCulture))}: {kv.Value}")) + ".");
        Line($"503 bodies with position and estimatedWaitSeconds: {Placed503}, without: {Unplaced503}. Retry-After given {RetryAfterSeconds.Count} times, median {N(MedianRetryAfter, 1)} s.");
        return sb.ToString();
    }

    /// <summary>One line of key=value pairs for shell scripts (no jq needed); NaN prints as "nan".</summary>
    public string ToResultLine()
    {
        string F(double x) => double.IsNaN(x) ? "nan" : x.ToString("0.###", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("LOADGEN_RESULT");
        sb.Append(CultureInfo.InvariantCulture, $" applicants={Applicants.Count} served={Served} issued_201={Issued} pending_202={Pending} refused={Refused} requests={Requests}");
        foreach (var (name, g) in new[] { ("polite", Polite), ("hammering", Hammering) })
        {
            sb.Append(CultureInfo.InvariantCulture, $" {name}_applicants={g.Applicants} {name}_served={g.Served} {name}_unserved={g.Unserved}");
            sb.Append(CultureInfo.InvariantCulture, $" {name}_wait_p50_s={F(g.Wait.P50)} {name}_wait_p90_s={F(g.Wait.P90)} {name}_requests_per_applicant={F(g.RequestsPerApplicant)}");
        }

        sb.Append(CultureInfo.InvariantCulture, $" selling_seconds={F(SellingSeconds)} goodput={F(Goodput)} rank_correlation={F(RankCorrelation)} wait_ratio={F(WaitRatio)}");
        sb.Append(CultureInfo.InvariantCulture, $" placed_503={Placed503} unplaced_503={Unplaced503} retry_after_given={RetryAfterSeconds.Count} retry_after_p50_s={F(MedianRetryAfter)}");
        foreach (var (status, count) in ByStatus)
        {
            sb.Append(CultureInfo.InvariantCulture, $" status_{status}={count}");
        }

        return sb.ToString();
    }

    public string ToJson()
    {
        double? Number(double x) => double.IsNaN(x) ? null : x;
        object Group(GroupFigures g) => new
        {
            applicants = g.Applicants,
            served = g.Served,
            unserved = g.Unserved,
            waitSeconds = new { p50 = g.Wait.P50, p90 = g.Wait.P90, max = g.Wait.Max },
            requestsPerApplicant = g.RequestsPerApplicant,
        };
        return JsonSerializer.Serialize(
            new
            {
                targets = (Options.Targets ?? [Options.Url]).Select(u => u.ToString()),
                applicants = Options.Applicants,
                arrivalsPerSecond = Options.Rate,
                politeShare = Options.PoliteShare,
                hammerIntervalSeconds = Options.HammerInterval,
                timeoutSeconds = Options.Timeout.TotalSeconds,
                capacity = Options.Capacity,
                arrived = Applicants.Count,
                polite = Group(Polite),
                hammering = Group(Hammering),
                served = Served,
                issued = Issued,
                pending = Pending,
                refused = Refused,
                requests = Requests,
                sellingSeconds = SellingSeconds,
                goodputPerSecond = Goodput,
                goodputShareOfCapacity = Options.Capacity is { } c ? Goodput / c : (double?)null,
                rankCorrelation = Number(RankCorrelation),
                politeOverHammeringMedianWait = Number(WaitRatio),
                byStatus = ByStatus.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
                unavailable503 = new { withPlace = Placed503, withoutPlace = Unplaced503 },
                retryAfter = new { given = RetryAfterSeconds.Count, medianSeconds = MedianRetryAfter },
            },
            Indented);
    }
}
