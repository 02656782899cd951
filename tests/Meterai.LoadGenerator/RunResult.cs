using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Meterai.LoadGenerator;

/// <summary>Nearest-rank percentiles (latencies in milliseconds, waits in seconds); all zero when there are no samples.</summary>
internal sealed record Percentiles(int Count, double P50, double P90, double P99, double Max)
{
    public static Percentiles Of(List<double> samples)
    {
        if (samples.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0);
        }

        samples.Sort();
        double At(double p) => samples[Math.Clamp((int)Math.Ceiling(p / 100 * samples.Count) - 1, 0, samples.Count - 1)];
        return new Percentiles(samples.Count, At(50), At(90), At(99), samples[^1]);
    }
}

/// <summary>What one run measured, and how it is printed.</summary>
internal sealed record RunResult(
    LoadOptions Options,
    int Offered,
    int Sent,
    double SendingSeconds,
    double LastSuccessSeconds,
    double MeanLagMs,
    double MaxLagMs,
    IReadOnlyDictionary<Outcome, int> Counts,
    IReadOnlyDictionary<int, int> ByStatus,
    Percentiles Issued,
    Percentiles Answered)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Seconds the run was selling: from the first due time until sending stopped or, if later, until
    /// the last 201/202 arrived, so answers that come in after sending stopped do not inflate goodput.
    /// </summary>
    public double SellingSeconds => Math.Max(SendingSeconds, LastSuccessSeconds);

    /// <summary>201 + 202 per second of the run (see <see cref="SellingSeconds"/>).</summary>
    public double Goodput => (Counts[Outcome.Issued201] + Counts[Outcome.Pending202]) / SellingSeconds;

    public double IssuedPerSecond => Counts[Outcome.Issued201] / SellingSeconds;

    public string ToMarkdown()
    {
        var o = Options;
        var sb = new StringBuilder();
        void Line(string text) => sb.Append(text).Append('\n');
        string N(double x, int decimals = 1) => x.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        string Lat(Percentiles p) => p.Count == 0 ? "–" : $"{N(p.P50)} / {N(p.P90)} / {N(p.P99)} / {N(p.Max)}";

        Line(o.Concurrency is { } applicants
            ? $"Closed loop: {applicants} applicants for {N(o.Duration.TotalSeconds, 0)} s to {o.Url} ({o.Mode}), timeout {N(o.Timeout.TotalSeconds, 0)} s; latency from each request's send."
            : $"Open loop: {N(o.Rate, 0)} req/s for {N(o.Duration.TotalSeconds, 0)} s to {o.Url} ({o.Mode}), timeout {N(o.Timeout.TotalSeconds, 0)} s, at most {o.Connections} connections.");
        Line($"Sent {Sent} of {Offered}; scheduler lateness mean {N(MeanLagMs, 2)} ms, max {N(MaxLagMs, 1)} ms (counted in latency).");
        Line("");
        Line("| outcome | count | per second of sending | share of sent |");
        Line("| --- | ---: | ---: | ---: |");
        foreach (var (outcome, count) in Counts)
        {
            Line($"| {outcome.Describe()} | {count} | {N(count / SendingSeconds)} | {N(100.0 * count / Math.Max(1, Sent))} % |");
        }

        Line("");
        var share = o.Capacity is { } c ? $" = {N(Goodput / c, 3)} × C (C = {N(c, 0)}/s)" : "";
        Line($"Goodput (201 + 202): {N(Goodput)}/s{share}; issued (201): {N(IssuedPerSecond)}/s; over {N(SellingSeconds)} s (start to the later of end of sending and last 201/202).");
        Line("");
        Line("| latency from due time (ms) | n | p50 / p90 / p99 / max |");
        Line("| --- | ---: | --- |");
        Line($"| issued (201) | {Issued.Count} | {Lat(Issued)} |");
        Line($"| every HTTP answer | {Answered.Count} | {Lat(Answered)} |");
        Line("");
        Line("Answers by status: " + (ByStatus.Count == 0 ? "none" : string.Join(", ", ByStatus.Select(kv => $"{kv.Key}: {kv.Value}"))) + ".");
        return sb.ToString();
    }

    /// <summary>One line of key=value pairs for shell scripts (no jq needed).</summary>
    public string ToResultLine()
    {
        string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("LOADGEN_RESULT");
        sb.Append(CultureInfo.InvariantCulture, $" offered={Offered} sent={Sent} seconds={F(SendingSeconds)} selling_seconds={F(SellingSeconds)}");
        foreach (var (outcome, count) in Counts)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {outcome.Key()}={count}");
        }

        sb.Append(CultureInfo.InvariantCulture, $" goodput={F(Goodput)} issued_per_s={F(IssuedPerSecond)}");
        sb.Append(CultureInfo.InvariantCulture, $" issued_p50_ms={F(Issued.P50)} issued_p90_ms={F(Issued.P90)} issued_p99_ms={F(Issued.P99)} issued_max_ms={F(Issued.Max)}");
        sb.Append(CultureInfo.InvariantCulture, $" all_p50_ms={F(Answered.P50)} all_p90_ms={F(Answered.P90)} all_p99_ms={F(Answered.P99)} all_max_ms={F(Answered.Max)}");
        sb.Append(CultureInfo.InvariantCulture, $" lag_mean_ms={F(MeanLagMs)} lag_max_ms={F(MaxLagMs)}");
        return sb.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            url = Options.Url.ToString(),
            mode = Options.Mode,
            rate = Options.Rate,
            durationSeconds = Options.Duration.TotalSeconds,
            timeoutSeconds = Options.Timeout.TotalSeconds,
            connections = Options.Connections,
            capacity = Options.Capacity,
            offered = Offered,
            sent = Sent,
            sendingSeconds = SendingSeconds,
            sellingSeconds = SellingSeconds,
            schedulerLagMs = new { mean = MeanLagMs, max = MaxLagMs },
            outcomes = Counts.ToDictionary(kv => kv.Key.Key(), kv => kv.Value),
            byStatus = ByStatus.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
            goodputPerSecond = Goodput,
            goodputShareOfCapacity = Options.Capacity is { } c ? Goodput / c : (double?)null,
            issuedPerSecond = IssuedPerSecond,
            latencyMs = new { issued = Issued, answered = Answered },
        },
        Indented);
}
