using System.Globalization;
using Meterai.Gateway.Pages;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// A distributor's days as inline SVG, drawn with the report's own parts (<see cref="ReportCharts"/>:
/// its axes, lines, colours and scale), so the page and the report read alike. No script.
/// </summary>
internal static class DistributorCharts
{
    private const string Refused = "#a3161a";
    private const string Undelivered = "#d08a00";
    private const double Top = 8;
    private const double Plot = 110;
    private const double Height = Top + Plot + 28;

    /// <summary>Each day's availability (able to sell: healthy and in stock), as bars coloured like the report's availability band.</summary>
    public static Html Availability(IReadOnlyList<DistributorDay> days, string id = "availability-chart")
    {
        var step = Step(days);
        double Y(double v) => Top + Plot - (v / 100 * Plot);
        var bars = days.Select((d, i) => d.Availability is not { } a ? Html.Empty : Html.Of(
            $"""<rect x="{ReportCharts.F(X(i, step) + (step * 0.15))}" y="{ReportCharts.F(Y(a * 100))}" width="{ReportCharts.F(step * 0.7)}" height="{ReportCharts.F(Math.Max(a * Plot, 0.5))}" fill="{ReportCharts.AvailabilityColour(a)}"/>"""));
        var probed = days.Where(d => d.Availability is not null).ToList();
        var summary = probed.Count == 0
            ? "Not probed in the period."
            : $"Able to sell {Figures.Percent(probed.Sum(d => d.Availability!.Value * d.Probes) / probed.Sum(d => d.Probes))} of the observed time ({ReportCharts.Count(probed.Sum(d => d.Probes))} probes); the worst day {Figures.Percent(probed.Min(d => d.Availability))}.";
        return Html.Of($"""
            <figure class="chart" id="{id}">
            <figcaption><strong><span lang="id">Ketersediaan per hari</span> / Availability per day (%)</strong></figcaption>
            <svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {ReportCharts.F(ReportCharts.Width)} {ReportCharts.F(Height)}" role="img" aria-labelledby="{id}-title">
            <title id="{id}-title">Share of each day it was able to sell: healthy and in stock by probe. {summary}</title>
            {ReportCharts.Axes(100, Top, Plot, Y)}
            {Html.Join(bars)}
            {DayLabels(days, step)}
            </svg>
            <p class="legend"><span class="key" style="background:{ReportCharts.AvailabilityColour(1)}"></span>80% {Html.Of($"<span lang=\"id\">atau lebih</span> / or more")}
            <span class="key" style="background:{ReportCharts.AvailabilityColour(0.5)}"></span><span lang="id">sebagian</span> / partly
            <span class="key" style="background:{ReportCharts.AvailabilityColour(0)}"></span><span lang="id">tidak dapat menjual</span> / not able to sell (down, no stock or refusing orders);
            <span lang="id">tanpa batang: tidak diperiksa</span> / no bar: not probed. {summary}</p>
            </figure>
            """);
    }

    /// <summary>Orders it took each day as bars, with the orders it turned away and the purchases it did not deliver as lines.</summary>
    public static Html Orders(IReadOnlyList<DistributorDay> days, string id = "orders-chart")
    {
        var step = Step(days);
        var max = ReportCharts.Nice(days.Select(d => (double)Math.Max(d.Sold, Math.Max(d.Refused, d.Undelivered))).DefaultIfEmpty(0).Max());
        double Y(double v) => Top + Plot - (Math.Min(v, max) / max * Plot);
        var bars = days.Select((d, i) => d.Sold == 0 ? Html.Empty : Html.Of(
            $"""<rect x="{ReportCharts.F(X(i, step) + (step * 0.15))}" y="{ReportCharts.F(Y(d.Sold))}" width="{ReportCharts.F(step * 0.7)}" height="{ReportCharts.F(Plot - (Y(d.Sold) - Top))}" fill="{ReportCharts.Sold}"/>"""));
        var refused = ReportCharts.Line(days.Select((d, i) => ((double?)d.Refused, X(i, step) + (step / 2))).ToList(), Y, Refused, dashed: true);
        var undelivered = ReportCharts.Line(days.Select((d, i) => ((double?)d.Undelivered, X(i, step) + (step / 2))).ToList(), Y, Undelivered, dashed: false);
        var summary = $"{ReportCharts.Count(days.Sum(d => d.Sold))} orders taken, {ReportCharts.Count(days.Sum(d => d.Refused))} turned away, "
            + $"{ReportCharts.Count(days.Sum(d => d.Undelivered))} paid and not delivered in the period.";
        return Html.Of($"""
            <figure class="chart" id="{id}">
            <figcaption><strong><span lang="id">Pesanan per hari</span> / Orders per day</strong></figcaption>
            <svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {ReportCharts.F(ReportCharts.Width)} {ReportCharts.F(Height)}" role="img" aria-labelledby="{id}-title">
            <title id="{id}-title">Orders per day: taken, turned away and not delivered. {summary}</title>
            {ReportCharts.Axes(max, Top, Plot, Y)}
            {Html.Join(bars)}
            {refused}
            {undelivered}
            {DayLabels(days, step)}
            </svg>
            <p class="legend"><span class="key" style="background:{ReportCharts.Sold}"></span><span lang="id">diterima</span> / taken
            <span class="key line dashed" style="border-color:{Refused}"></span><span lang="id">ditolak</span> / turned away
            <span class="key line" style="border-color:{Undelivered}"></span><span lang="id">dibayar, tidak dikirim</span> / paid, not delivered. {summary}</p>
            </figure>
            """);
    }

    private static double Step(IReadOnlyList<DistributorDay> days) =>
        days.Count == 0 ? 0 : (ReportCharts.Width - ReportCharts.Left - ReportCharts.Right) / days.Count;

    private static double X(int index, double step) => ReportCharts.Left + (index * step);

    private static Html DayLabels(IReadOnlyList<DistributorDay> days, double step)
    {
        // About six labels, the last day always among them (ending at the edge, so it is not cut), so they never overlap.
        var every = Math.Max(1, (int)Math.Ceiling(days.Count / 6d));
        return Html.Join(days.Select((d, i) => (d, i)).Where(p => (days.Count - 1 - p.i) % every == 0).Select(p =>
        {
            var last = p.i == days.Count - 1;
            return Html.Of(
                $"""<text x="{ReportCharts.F(last ? X(p.i + 1, step) : X(p.i, step) + (step / 2))}" y="{ReportCharts.F(Top + Plot + 13)}" text-anchor="{(last ? "end" : "middle")}" font-size="10" fill="#111">{p.d.Day.ToString("d MMM", CultureInfo.InvariantCulture)}</text>""");
        }));
    }
}
