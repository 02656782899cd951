using System.Globalization;
using Meterai.Gateway.Pages;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The report's charts as inline SVG, drawn on the server: no script, no external asset. Sized in
/// a narrow view box so its text reads at phone width; it scales up on a desk and prints as drawn.
/// Colours are backed by shape and words (a legend in HTML, a text summary in each chart's title).
/// </summary>
internal static class ReportCharts
{
    internal const double Width = 360;
    internal const double Left = 34;
    internal const double Right = 6;
    internal const string Sold = "#0b4f9c";
    private const string Capacity = "#0a6b2d";
    internal const string Demand = "#a3161a";
    internal const string NotObserved = "#ececec";

    /// <summary>The fleet's orders sold per hour as bars, against its capacity (solid line) and demand (dashed line).</summary>
    public static Html Fleet(ReportTimeline timeline, ReaderClock clock, string id = "fleet-chart")
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(clock);
        var hours = timeline.Fleet;
        const double top = 8, plot = 130, height = top + plot + 28;
        var (max, offScale) = FleetScale(hours);
        var step = hours.Count == 0 ? 0 : (Width - Left - Right) / hours.Count;
        double Y(double v) => top + plot - (Math.Min(v, max) / max * plot);

        // An hour the gateway did not observe gets a grey band and no value: its zeros are not data.
        var unobserved = Unobserved(hours).Select(run => Html.Of(
            $"""<rect x="{F(Left + (run.Start * step))}" y="{F(top)}" width="{F(run.Count * step)}" height="{F(plot)}" fill="{NotObserved}"/>"""));
        var bars = hours.Select((h, i) => !h.WasObserved() ? Html.Empty : Html.Of(
            $"""<rect x="{F(Left + (i * step) + (step * 0.15))}" y="{F(Y(h.Sold))}" width="{F(step * 0.7)}" height="{F(plot - (Y(h.Sold) - top))}" fill="{Sold}"/>"""));
        var capacity = Line(hours.Select((h, i) => (h.CapacityPerHour, Left + (i * step) + (step / 2))).ToList(), Y, Capacity, dashed: false);
        var demand = Line(hours.Select((h, i) => (h.WasObserved() ? (double?)h.Demand : null, Left + (i * step) + (step / 2))).ToList(), Y, Demand, dashed: true);
        var peak = hours.Count == 0 ? null : hours.MaxBy(h => h.Demand);
        var summary = peak is null || peak.Demand == 0
            ? "No demand in the period."
            : $"Peak demand {peak.Demand} per hour in the hour from {clock.Text(peak.Hour)}; capacity then {(peak.CapacityPerHour is { } c ? Math.Round(c).ToString(CultureInfo.InvariantCulture) : "not measured")} per hour.";

        return Html.Of($"""
            <figure class="chart" id="{id}">
            <svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {F(Width)} {F(height)}" role="img" aria-labelledby="{id}-title">
            <title id="{id}-title">Fleet: orders sold per hour against capacity and demand. {summary}</title>
            {Html.Join(unobserved)}
            {Axes(max, top, plot, Y)}
            {Html.Join(bars)}
            {capacity}
            {demand}
            {HourLabels(hours.Select(h => h.Hour).ToList(), step, top + plot, clock)}
            {(offScale is { } above ? Html.Of($"""<text x="{F(Width - Right)}" y="{F(top + 10)}" text-anchor="end" font-size="10" fill="{Capacity}">capacity above the scale: up to {Count(above)} per hour</text>""") : Html.Empty)}
            </svg>
            <figcaption><span class="key" style="background:{Sold}"></span>orders sold
            <span class="key line" style="border-color:{Capacity}"></span>capacity (orders per hour the fleet could take)
            <span class="key line dashed" style="border-color:{Demand}"></span>demand (purchases asked for, refused ones included)
            <span class="key" style="background:{NotObserved}"></span>not observed (the gateway was not running). Hours in {clock.Zone}.</figcaption>
            </figure>
            """);
    }

    /// <summary>One small chart per distributor: its availability per hour as a coloured band, its sales per hour as bars.</summary>
    public static Html Distributors(ReportTimeline timeline, ReaderClock clock, string id = "distributor-charts")
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(clock);
        var charts = timeline.Distributors.Select(d =>
        {
            const double band = 10, top = 14, plot = 36, height = top + plot + 22;
            var max = Nice(d.Hours.Select(h => (double)h.Sold).DefaultIfEmpty(0).Max());
            var step = d.Hours.Count == 0 ? 0 : (Width - Left - Right) / d.Hours.Count;
            double Y(double v) => top + plot - (v / max * plot);
            var cells = d.Hours.Select((h, i) => Html.Of(
                $"""<rect x="{F(Left + (i * step))}" y="0" width="{F(step)}" height="{F(band)}" fill="{AvailabilityColour(h.Availability)}"/>"""));
            var bars = d.Hours.Select((h, i) => Html.Of(
                $"""<rect x="{F(Left + (i * step) + (step * 0.15))}" y="{F(Y(h.Sold))}" width="{F(step * 0.7)}" height="{F(plot - (Y(h.Sold) - top))}" fill="{Sold}"/>"""));
            var probed = d.Hours.Where(h => h.Availability is not null).ToList();
            var availability = probed.Count == 0 ? "never observed" : $"able to sell {probed.Average(h => h.Availability!.Value):0%} of the observed hours";
            var title = $"{d.Id} {d.Name}: {availability}; {d.Hours.Sum(h => h.Sold)} orders sold, at most {d.Hours.Select(h => h.Sold).DefaultIfEmpty(0).Max()} in one hour.";
            return Html.Of($"""
                <figure class="chart small">
                <figcaption><strong>{d.Id}</strong> {d.Name}</figcaption>
                <svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {F(Width)} {F(height)}" role="img" aria-label="{title}">
                <title>{title}</title>
                <text x="{F(Left - 4)}" y="{F(band - 1)}" text-anchor="end" font-size="9" fill="#111">avail.</text>
                {Html.Join(cells)}
                {Axes(max, top, plot, Y)}
                {Html.Join(bars)}
                {HourLabels(d.Hours.Select(h => h.Hour).ToList(), step, top + plot, clock)}
                </svg>
                </figure>
                """);
        });
        return Html.Of($"""
            <div id="{id}">
            <p class="legend">Band: <span class="key" style="background:{AvailabilityColour(1)}"></span>able to sell 80% of the hour or more
            <span class="key" style="background:{AvailabilityColour(0.5)}"></span>part of the hour
            <span class="key" style="background:{AvailabilityColour(0)}"></span>not able to sell (down, no stock or refusing orders)
            <span class="key" style="background:{AvailabilityColour(null)}"></span>not observed;
            bars: <span class="key" style="background:{Sold}"></span>orders sold per hour. Hours in {clock.Zone}.</p>
            <div class="charts">{Html.Join(charts)}</div>
            </div>
            """);
    }

    /// <summary>
    /// The fleet chart's axis maximum, and the capacity when it is above it. A capacity far above
    /// the traffic would flatten the sales to nothing, so the axis then follows the traffic and the
    /// capacity line runs along the top, labelled with its value.
    /// </summary>
    internal static (double Max, double? OffScale) FleetScale(IReadOnlyList<FleetHour> hours)
    {
        var traffic = hours.Select(h => (double)Math.Max(h.Sold, h.Demand)).DefaultIfEmpty(0).Max();
        var capacity = hours.Select(h => h.CapacityPerHour ?? 0).DefaultIfEmpty(0).Max();
        return traffic > 0 && capacity > traffic * 4
            ? (Nice(traffic * 1.25), capacity)
            : (Nice(Math.Max(traffic, capacity)), null);
    }

    /// <summary>The runs of consecutive hours the gateway did not observe, drawn as one grey band each.</summary>
    internal static IEnumerable<(int Start, int Count)> Unobserved(IReadOnlyList<FleetHour> hours)
    {
        for (var i = 0; i < hours.Count; i++)
        {
            var start = i;
            while (i < hours.Count && !hours[i].WasObserved())
            {
                i++;
            }

            if (i > start)
            {
                yield return (start, i - start);
            }
        }
    }

    /// <summary>A count as Indonesian documents write it: 1.234.567.</summary>
    internal static string Count(double value) => Math.Round(value).ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.');

    internal static string AvailabilityColour(double? availability) => availability switch
    {
        null => "#d9d9d9",
        >= 0.8 => "#0a6b2d",
        > 0 => "#d08a00",
        _ => "#a3161a",
    };

    internal static Html Axes(double max, double top, double plot, Func<double, double> y) => Html.Of($"""
        <line x1="{F(Left)}" y1="{F(top + plot)}" x2="{F(Width - Right)}" y2="{F(top + plot)}" stroke="#111" stroke-width="1"/>
        <line x1="{F(Left)}" y1="{F(top)}" x2="{F(Width - Right)}" y2="{F(top)}" stroke="#c4c4c4" stroke-width="0.5"/>
        <text x="{F(Left - 4)}" y="{F(y(max) + 4)}" text-anchor="end" font-size="10" fill="#111">{Count(max)}</text>
        <text x="{F(Left - 4)}" y="{F(top + plot)}" text-anchor="end" font-size="10" fill="#111">0</text>
        """);

    internal static Html Line(List<(double? Value, double X)> points, Func<double, double> y, string colour, bool dashed)
    {
        // A gap where the value is unknown rather than a line drawn through it.
        var segments = new List<List<string>> { new() };
        foreach (var (value, x) in points)
        {
            if (value is { } v)
            {
                segments[^1].Add($"{F(x)},{F(y(v))}");
            }
            else if (segments[^1].Count > 0)
            {
                segments.Add([]);
            }
        }

        return Html.Join(segments.Where(s => s.Count > 0).Select(s => s.Count == 1
            ? Html.Of($"""<circle cx="{s[0].Split(',')[0]}" cy="{s[0].Split(',')[1]}" r="2.5" fill="{colour}"/>""")
            : Html.Of($"""<polyline points="{string.Join(' ', s)}" fill="none" stroke="{colour}" stroke-width="2"{(dashed ? Html.Trusted(" stroke-dasharray=\"5 3\"") : Html.Empty)}/>""")));
    }

    private static Html HourLabels(List<DateTimeOffset> hours, double step, double baseline, ReaderClock clock)
    {
        // About six labels whatever the period's length, so they never overlap.
        var every = Math.Max(1, (int)Math.Ceiling(hours.Count / 6d));
        return Html.Join(hours.Select((h, i) => (h, i)).Where(p => p.i % every == 0).Select(p => Html.Of(
            $"""<text x="{F(Left + (p.i * step) + (step / 2))}" y="{F(baseline + 13)}" text-anchor="middle" font-size="10" fill="#111">{clock.AxisLabel(p.h, hours.Count)}</text>""")));
    }

    /// <summary>A round axis maximum at or above the value: 1, 2, 5 × 10ⁿ.</summary>
    internal static double Nice(double value)
    {
        if (value <= 1)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return new[] { 1d, 2, 5, 10 }.Select(m => m * magnitude).First(v => v >= value);
    }

    internal static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
