using System.Globalization;
using PdfSharp.Drawing;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The report's charts drawn for the PDF: the fleet against capacity and demand, and every
/// distributor as small multiples on a shared grid, several to a row, so they fill pages instead
/// of leaving them mostly empty. The same pictures as <see cref="ReportCharts"/> draws for the page.
/// </summary>
internal static class ReportPdfCharts
{
    private const double AxisWidth = 26;
    private const int PerRow = 3;
    private static readonly XColor Sold = XColor.FromArgb(0x0b, 0x4f, 0x9c);
    private static readonly XColor Capacity = XColor.FromArgb(0x0a, 0x6b, 0x2d);
    private static readonly XColor Demand = XColor.FromArgb(0xa3, 0x16, 0x1a);

    public const double FleetHeight = 150;

    /// <summary>Height of the fleet chart with its axis labels and legend.</summary>
    public static double FleetBlockHeight(ReportPdfWriter w, ReaderClock clock) => FleetHeight + 22 + w.TextHeight(Legend(clock), w.Small, after: 6);

    private static string Legend(ReaderClock clock) =>
        $"Bars: orders sold. Solid green line: capacity (orders per hour the fleet could take). Dashed red line: demand (purchases asked for, refused ones included). Grey: hours the gateway did not observe. Hours in {clock.Zone}.";

    public static void Fleet(ReportPdfWriter w, ReportTimeline timeline, ReaderClock clock)
    {
        w.Reserve(FleetBlockHeight(w, clock));
        var g = w.Graphics;
        var (left, top, width) = (w.Left + AxisWidth, w.Y + 6, w.Width - AxisWidth);
        var hours = timeline.Fleet;
        var (max, offScale) = ReportCharts.FleetScale(hours);
        var step = hours.Count == 0 ? 0 : width / hours.Count;
        double Y(double v) => top + FleetHeight - (Math.Min(v, max) / max * FleetHeight);

        foreach (var (start, count) in ReportCharts.Unobserved(hours))
        {
            g.DrawRectangle(new XSolidBrush(Hex(ReportCharts.NotObserved)), left + (start * step), top, count * step, FleetHeight);
        }

        Axes(w, g, left, top, width, FleetHeight, max, w.Small);
        for (var i = 0; i < hours.Count; i++)
        {
            if (hours[i].WasObserved())
            {
                g.DrawRectangle(new XSolidBrush(Sold), left + (i * step) + (step * 0.15), Y(hours[i].Sold), step * 0.7, top + FleetHeight - Y(hours[i].Sold));
            }
        }

        Polyline(g, hours.Select((h, i) => (h.CapacityPerHour, left + (i * step) + (step / 2))).ToList(), Y, new XPen(Capacity, 1.6));
        Polyline(g, hours.Select((h, i) => (h.WasObserved() ? (double?)h.Demand : null, left + (i * step) + (step / 2))).ToList(), Y, new XPen(Demand, 1.6) { DashStyle = XDashStyle.Dash });
        HourLabels(w, g, hours.Select(h => h.Hour).ToList(), left, step, top + FleetHeight, 8, clock);
        if (offScale is { } above)
        {
            g.DrawString($"capacity above the scale: up to {ReportCharts.Count(above)} per hour", w.Small, new XSolidBrush(Capacity), new XRect(left, top + 2, width - 4, 10), XStringFormats.TopRight);
        }

        w.Advance(FleetHeight + 22);
        w.Text(Legend(clock), w.Small, ReportPdfWriter.Muted, after: 6);
    }

    /// <summary>The legend under the heading of the small multiples, and the height of one row of them.</summary>
    public static string MultiplesLegend(ReaderClock clock) =>
        $"Band: share of each hour the distributor was able to sell (green 80% or more, amber part of the hour, red not able: down, no stock or refusing orders; grey not observed). Bars: orders sold per hour, each chart on its own scale. Hours in {clock.Zone}.";

    public static double RowHeight(ReportPdfWriter w) => ReportPdfWriter.LineHeight(w.Bold) + 7 + 3 + 26 + 20;

    /// <summary>Every distributor as a small chart, <see cref="PerRow"/> to a row; a row never breaks across pages.</summary>
    public static void Multiples(ReportPdfWriter w, ReportTimeline timeline, ReaderClock clock)
    {
        const double gap = 14, band = 7, plot = 26;
        var cellWidth = (w.Width - ((PerRow - 1) * gap)) / PerRow;
        var rowHeight = RowHeight(w);
        foreach (var row in timeline.Distributors.Chunk(PerRow))
        {
            w.Reserve(rowHeight);
            var g = w.Graphics;
            for (var c = 0; c < row.Length; c++)
            {
                var d = row[c];
                var x = w.Left + (c * (cellWidth + gap));
                var title = Fit(w, $"{d.Id} {d.Name}", cellWidth);
                var sold = d.Hours.Sum(h => h.Sold);
                g.DrawString(title, w.Bold, new XSolidBrush(ReportPdfWriter.Ink), new XRect(x, w.Y, cellWidth - 40, 10), XStringFormats.TopLeft);
                g.DrawString($"{ReportCharts.Count(sold)} sold", w.Small, new XSolidBrush(ReportPdfWriter.Muted), new XRect(x, w.Y + 1, cellWidth, 10), XStringFormats.TopRight);

                var top = w.Y + ReportPdfWriter.LineHeight(w.Bold) + 2;
                var (left, width) = (x + 16, cellWidth - 16);
                var step = d.Hours.Count == 0 ? 0 : width / d.Hours.Count;
                for (var i = 0; i < d.Hours.Count; i++)
                {
                    g.DrawRectangle(new XSolidBrush(Hex(ReportCharts.AvailabilityColour(d.Hours[i].Availability))), left + (i * step), top, step, band);
                }

                var max = ReportCharts.Nice(d.Hours.Select(h => (double)h.Sold).DefaultIfEmpty(0).Max());
                var plotTop = top + band + 3;
                g.DrawLine(new XPen(ReportPdfWriter.Ink, 0.6), left, plotTop + plot, left + width, plotTop + plot);
                g.DrawLine(new XPen(ReportPdfWriter.Rule, 0.3), left, plotTop, left + width, plotTop);
                g.DrawString(ReportCharts.Count(max), w.Small, new XSolidBrush(ReportPdfWriter.Ink), new XRect(x - 4, plotTop - 3, 18, 8), XStringFormats.TopRight);
                for (var i = 0; i < d.Hours.Count; i++)
                {
                    var h = d.Hours[i].Sold / max * plot;
                    g.DrawRectangle(new XSolidBrush(Sold), left + (i * step) + (step * 0.15), plotTop + plot - h, step * 0.7, h);
                }

                HourLabels(w, g, d.Hours.Select(h => h.Hour).ToList(), left, step, plotTop + plot, 3, clock);
            }

            w.Advance(rowHeight);
        }
    }

    private static string Fit(ReportPdfWriter w, string text, double width)
    {
        var room = width - 44;
        if (w.Measure(text, w.Bold) <= room)
        {
            return text;
        }

        while (text.Length > 4 && w.Measure(text + "…", w.Bold) > room)
        {
            text = text[..^1];
        }

        return text.TrimEnd() + "…";
    }

    private static void Axes(ReportPdfWriter w, XGraphics g, double left, double top, double width, double height, double max, XFont font)
    {
        g.DrawLine(new XPen(ReportPdfWriter.Ink, 0.8), left, top + height, left + width, top + height);
        g.DrawLine(new XPen(ReportPdfWriter.Rule, 0.4), left, top, left + width, top);
        g.DrawString(ReportCharts.Count(max), font, new XSolidBrush(ReportPdfWriter.Ink), new XRect(left - AxisWidth, top - 4, AxisWidth - 4, 10), XStringFormats.TopRight);
        g.DrawString("0", font, new XSolidBrush(ReportPdfWriter.Ink), new XRect(left - AxisWidth, top + height - 8, AxisWidth - 4, 10), XStringFormats.TopRight);
    }

    private static void Polyline(XGraphics g, List<(double? Value, double X)> points, Func<double, double> y, XPen pen)
    {
        // A gap where the value is unknown rather than a line drawn through it; a lone point is a dot.
        var run = new List<XPoint>();
        foreach (var (value, x) in points.Append((null, 0)))
        {
            if (value is { } v)
            {
                run.Add(new XPoint(x, y(v)));
                continue;
            }

            if (run.Count == 1)
            {
                g.DrawEllipse(new XSolidBrush(pen.Color), run[0].X - 1.8, run[0].Y - 1.8, 3.6, 3.6);
            }
            else if (run.Count > 1)
            {
                g.DrawLines(pen, run.ToArray());
            }

            run.Clear();
        }
    }

    private static void HourLabels(ReportPdfWriter w, XGraphics g, List<DateTimeOffset> hours, double left, double step, double baseline, int labels, ReaderClock clock)
    {
        var every = Math.Max(1, (int)Math.Ceiling(hours.Count / (double)labels));
        for (var i = 0; i < hours.Count; i += every)
        {
            var label = clock.AxisLabel(hours[i], hours.Count);
            g.DrawString(label, w.Small, new XSolidBrush(ReportPdfWriter.Ink), new XRect(left + (i * step) + (step / 2) - 20, baseline + 2, 40, 8), XStringFormats.TopCenter);
        }
    }

    private static XColor Hex(string colour) =>
        XColor.FromArgb(int.Parse(colour.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture) | unchecked((int)0xff000000));
}
