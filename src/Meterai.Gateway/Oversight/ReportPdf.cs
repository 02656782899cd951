using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The report as a PDF document to file: the same findings, totals, charts and tables as the
/// report page, laid out on A4 by PDFsharp (pure .NET, MIT; no browser process on the server).
/// </summary>
public static class ReportPdf
{
    private static readonly XColor Ink = XColor.FromArgb(0x11, 0x11, 0x11);
    private static readonly XColor Muted = XColor.FromArgb(0x4a, 0x4a, 0x4a);
    private static readonly XColor Line = XColor.FromArgb(0xc4, 0xc4, 0xc4);
    private static readonly XColor Sold = XColor.FromArgb(0x0b, 0x4f, 0x9c);
    private static readonly XColor Capacity = XColor.FromArgb(0x0a, 0x6b, 0x2d);
    private static readonly XColor Demand = XColor.FromArgb(0xa3, 0x16, 0x1a);

    public static byte[] Write(OversightReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        PdfFonts.EnsureInstalled();
        using var document = new PdfDocument();
        document.Info.Title = $"e-Meterai oversight report {report.Id}";
        document.Info.Subject = $"{ActivityRules.Format(report.From)} to {ActivityRules.Format(report.To)}";
        document.Info.Creator = "meterai-gateway";

        var w = new Writer(document);
        w.Text("Laporan pengawasan e-Meterai / e-Meterai oversight report", w.Title, Ink, after: 6);
        w.Text($"Period: {ActivityRules.Format(report.From)} to {ActivityRules.Format(report.To)}. Built {ActivityRules.Format(report.CreatedAt)}. Report {report.Id}.", w.Body, Muted, after: 10);

        w.Heading("Findings");
        for (var i = 0; i < report.Findings.Count; i++)
        {
            w.Text($"{i + 1}. {report.Findings[i]}", w.Body, Ink, indent: 12, after: 4);
        }

        var t = report.Totals;
        w.Heading("Totals");
        w.Text($"Registered / selling distributors: {report.RegisteredDistributors} / {report.SellingDistributors}", w.Body, Ink);
        w.Text($"e-Meterai issued: {t.EMeteraiIssued} in {t.OrdersIssued} orders, {ReportBuilder.Rupiah(t.AmountIssued)}", w.Body, Ink);
        w.Text($"Paid, not delivered within the deadline: {t.Undelivered}", w.Body, Ink);
        w.Text($"Refunds owed at the time of the report: {t.RefundsOwed} ({ReportBuilder.Rupiah(t.RefundsOwedAmount)}); refunds made in the period: {t.RefundsMade} ({ReportBuilder.Rupiah(t.RefundsMadeAmount)})", w.Body, Ink);

        if (report.Timeline is { } timeline)
        {
            w.Heading("Surge headroom");
            FleetChart(w, timeline);
            w.Heading("Hour by hour (UTC)");
            w.Table(
                ["Hour (UTC)", "Demand", "Sold", "Refused (503)", "Capacity / h", "Selling"],
                [2.2, 1, 1, 1.3, 1.3, 1],
                timeline.Fleet.Select(h => new[]
                {
                    h.Hour.UtcDateTime.ToString("d MMM HH:mm", CultureInfo.InvariantCulture),
                    N(h.Demand), N(h.Sold), N(h.Refused),
                    h.CapacityPerHour is { } c ? N(Math.Round(c)) : "–",
                    N(h.SellingDistributors),
                }).ToList());
        }

        w.Heading("Distributors");
        w.Table(
            ["Id", "Name", "State", "Avail.", "Orders", "e-Meterai", "Undeliv.", "Owed", "Refunded", "Flags"],
            [1.1, 2.6, 1, 0.8, 0.8, 1, 0.9, 0.8, 1, 1.8],
            report.Distributors.Select(d => new[]
            {
                d.Id, d.Name, d.State, OversightPages.Percent(d.Availability), N(d.OrdersIssued), N(d.EMeteraiIssued),
                N(d.Undelivered), N(d.RefundsOwed), N(d.RefundsMade), string.Join(", ", d.Flags),
            }).ToList());

        if (report.RemovedDistributors is { Count: > 0 } removed)
        {
            w.Heading("Removed from the registry, still owing");
            w.Table(
                ["Id", "Unresolved purchases", "Refunds owed", "Amount owed"],
                [1.5, 1.5, 1.2, 1.5],
                removed.Select(d => new[] { d.Id, N(d.Unresolved), N(d.RefundsOwed), ReportBuilder.Rupiah(d.RefundsOwedAmount) }).ToList());
        }

        if (report.OrphanOrders is { Count: > 0 } orphans)
        {
            w.Heading("Issued for purchases sold elsewhere (owed as a credit)");
            w.Text("An issued e-Meterai cannot be refunded (distributor spec), so the distributor owes the applicant a credit.", w.Small, Muted, after: 6);
            w.Table(
                ["Distributor", "Purchase", "Order", "e-Meterai", "Amount", "Found"],
                [1, 3, 1.6, 0.8, 1.1, 1.6],
                orphans.Select(o => new[]
                {
                    o.DistributorId, o.PurchaseId, o.OrderId ?? "", N(o.Quantity), ReportBuilder.Rupiah(o.Amount ?? 0),
                    o.FoundAt is { } at ? ActivityRules.Format(at) : "",
                }).ToList());
        }

        Overcharges(w, report);

        if (report.Timeline is { } perDistributor)
        {
            w.Heading("Each distributor over the period");
            w.Text("Band: availability per hour (green 80% of probes or more, amber partly, red unreachable, grey not probed). Bars: orders sold per hour.", w.Small, Muted, after: 6);
            foreach (var d in perDistributor.Distributors)
            {
                DistributorChart(w, d);
            }
        }

        w.Finish();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>Orders charged above quantity × 10,000 in the period (gateway spec: overcharges).</summary>
    private static void Overcharges(Writer w, OversightReport report)
    {
        if (report.Overcharges is not { Count: > 0 } overcharges)
        {
            return;
        }

        w.Heading("Overcharges");
        w.Text("Orders charged more than Rp 10.000 per e-Meterai. The orders counted; the applicants are owed the difference.", w.Small, Muted, after: 6);
        w.Table(
            ["Order", "Distributor", "e-Meterai", "Charged", "Due", "Found"],
            [1.8, 1, 0.8, 1.1, 1.1, 1.6],
            overcharges.Select(o => new[]
            {
                o.OrderId, o.DistributorId, N(o.Quantity), ReportBuilder.Rupiah(o.AmountCharged), ReportBuilder.Rupiah(o.AmountDue), ActivityRules.Format(o.FoundAt),
            }).ToList());
    }

    private static void FleetChart(Writer w, ReportTimeline timeline)
    {
        const double height = 150;
        var g = w.ReserveGraphics(height + 34);
        var (left, top, width) = (w.Left + 34, w.Y + 6, w.Width - 40);
        var hours = timeline.Fleet;
        var (max, offScale) = ReportCharts.FleetScale(hours);
        var step = hours.Count == 0 ? 0 : width / hours.Count;
        double Y(double v) => top + height - (Math.Min(v, max) / max * height);

        Axes(w, g, left, top, width, height, max);
        for (var i = 0; i < hours.Count; i++)
        {
            g.DrawRectangle(new XSolidBrush(Sold), left + (i * step) + (step * 0.15), Y(hours[i].Sold), step * 0.7, top + height - Y(hours[i].Sold));
        }

        Polyline(g, hours.Select((h, i) => (h.CapacityPerHour, left + (i * step) + (step / 2))).ToList(), Y, new XPen(Capacity, 1.6));
        Polyline(g, hours.Select((h, i) => ((double?)h.Demand, left + (i * step) + (step / 2))).ToList(), Y, new XPen(Demand, 1.6) { DashStyle = XDashStyle.Dash });
        HourLabels(w, g, hours.Select(h => h.Hour).ToList(), left, step, top + height);
        if (offScale is { } above)
        {
            g.DrawString($"capacity above the scale: up to {ReportCharts.Count(above)} per hour", w.Small, new XSolidBrush(Capacity), new XRect(left, top + 2, width - 4, 10), XStringFormats.TopRight);
        }

        w.Advance(height + 22);
        w.Text("Bars: orders sold. Solid green line: capacity (orders per hour the fleet could take). Dashed red line: demand (purchases asked for, refused ones included).", w.Small, Muted, after: 6);
    }

    private static void DistributorChart(Writer w, DistributorTimeline d)
    {
        const double band = 7, plot = 30;
        var g = w.ReserveGraphics(band + plot + 40);
        w.Text($"{d.Id}  {d.Name}", w.Bold, Ink, after: 2);
        var (left, top, width) = (w.Left + 34, w.Y, w.Width - 40);
        var step = d.Hours.Count == 0 ? 0 : width / d.Hours.Count;
        var max = ReportCharts.Nice(d.Hours.Select(h => (double)h.Sold).DefaultIfEmpty(0).Max());
        for (var i = 0; i < d.Hours.Count; i++)
        {
            g.DrawRectangle(new XSolidBrush(XColor.FromArgb(int.Parse(ReportCharts.AvailabilityColour(d.Hours[i].Availability)[1..], NumberStyles.HexNumber) | unchecked((int)0xff000000))),
                left + (i * step), top, step, band);
        }

        var plotTop = top + band + 3;
        Axes(w, g, left, plotTop, width, plot, max);
        for (var i = 0; i < d.Hours.Count; i++)
        {
            var h = d.Hours[i].Sold / max * plot;
            g.DrawRectangle(new XSolidBrush(Sold), left + (i * step) + (step * 0.15), plotTop + plot - h, step * 0.7, h);
        }

        HourLabels(w, g, d.Hours.Select(h => h.Hour).ToList(), left, step, plotTop + plot);
        w.Advance(band + plot + 20);
    }

    private static void Axes(Writer w, XGraphics g, double left, double top, double width, double height, double max)
    {
        g.DrawLine(new XPen(Ink, 0.8), left, top + height, left + width, top + height);
        g.DrawLine(new XPen(Line, 0.4), left, top, left + width, top);
        g.DrawString(N(max), w.Small, new XSolidBrush(Ink), new XRect(left - 34, top - 4, 30, 10), XStringFormats.TopRight);
        g.DrawString("0", w.Small, new XSolidBrush(Ink), new XRect(left - 34, top + height - 8, 30, 10), XStringFormats.TopRight);
    }

    private static void Polyline(XGraphics g, List<(double? Value, double X)> points, Func<double, double> y, XPen pen)
    {
        XPoint? previous = null;
        foreach (var (value, x) in points)
        {
            if (value is not { } v)
            {
                previous = null;
                continue;
            }

            var point = new XPoint(x, y(v));
            if (previous is { } p)
            {
                g.DrawLine(pen, p, point);
            }

            previous = point;
        }
    }

    private static void HourLabels(Writer w, XGraphics g, List<DateTimeOffset> hours, double left, double step, double baseline)
    {
        var every = Math.Max(1, (int)Math.Ceiling(hours.Count / 8d));
        for (var i = 0; i < hours.Count; i += every)
        {
            var label = hours.Count > 48 ? hours[i].UtcDateTime.ToString("d MMM", CultureInfo.InvariantCulture) : hours[i].UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);
            g.DrawString(label, w.Small, new XSolidBrush(Ink), new XRect(left + (i * step) + (step / 2) - 20, baseline + 2, 40, 10), XStringFormats.TopCenter);
        }
    }

    private static string N(double value) => ReportCharts.Count(value);

    /// <summary>A top-to-bottom cursor over A4 pages: text that wraps, tables that break across pages.</summary>
    private sealed class Writer
    {
        private const double Margin = 40;
        private readonly PdfDocument _document;
        private XGraphics _graphics = null!;
        private double _pageHeight;

        public Writer(PdfDocument document)
        {
            _document = document;
            var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
            Title = new XFont(PdfFonts.Family, 15, XFontStyleEx.Bold, options);
            Heading2 = new XFont(PdfFonts.Family, 12, XFontStyleEx.Bold, options);
            Body = new XFont(PdfFonts.Family, 9.5, XFontStyleEx.Regular, options);
            Bold = new XFont(PdfFonts.Family, 8.5, XFontStyleEx.Bold, options);
            Small = new XFont(PdfFonts.Family, 7, XFontStyleEx.Regular, options);
            NewPage();
        }

        public XFont Title { get; }

        public XFont Heading2 { get; }

        public XFont Body { get; }

        public XFont Bold { get; }

        public XFont Small { get; }

        public double Left { get; } = Margin;

        public double Width { get; private set; }

        public double Y { get; private set; }

        public void Heading(string text)
        {
            Reserve(40);
            Advance(8);
            Text(text, Heading2, Ink, after: 4);
        }

        public void Text(string text, XFont font, XColor colour, double indent = 0, double after = 2)
        {
            var lineHeight = font.GetHeight() * 1.15;
            var brush = new XSolidBrush(colour);
            foreach (var line in Wrap(text, font, Width - indent))
            {
                Reserve(lineHeight);
                _graphics.DrawString(line, font, brush, new XRect(Left + indent, Y, Width - indent, lineHeight), XStringFormats.TopLeft);
                Y += lineHeight;
            }

            Y += after;
        }

        public void Table(string[] headers, double[] weights, List<string[]> rows)
        {
            var total = weights.Sum();
            var widths = weights.Select(x => x / total * Width).ToArray();
            var lineHeight = Small.GetHeight() * 1.2;
            void Row(string[] cells, XFont font)
            {
                var wrapped = cells.Select((c, i) => Wrap(c, font, widths[i] - 4)).ToList();
                var height = (wrapped.Max(l => l.Count) * lineHeight) + 3;
                if (Reserve(height) && font != Bold)
                {
                    Row(headers, Bold);
                }

                var x = Left;
                for (var i = 0; i < cells.Length; i++)
                {
                    for (var l = 0; l < wrapped[i].Count; l++)
                    {
                        _graphics.DrawString(wrapped[i][l], font, new XSolidBrush(Ink), new XRect(x + 2, Y + 1 + (l * lineHeight), widths[i] - 4, lineHeight), XStringFormats.TopLeft);
                    }

                    x += widths[i];
                }

                Y += height;
                _graphics.DrawLine(new XPen(font == Bold ? Ink : Line, font == Bold ? 0.8 : 0.4), Left, Y, Left + Width, Y);
            }

            Row(headers, Bold);
            foreach (var row in rows)
            {
                Row(row, Small);
            }

            Y += 6;
        }

        /// <summary>Room for <paramref name="height"/> on this page, or a new page; true when a page was started.</summary>
        public bool Reserve(double height, out XGraphics graphics)
        {
            var started = false;
            if (Y + height > _pageHeight - Margin)
            {
                NewPage();
                started = true;
            }

            graphics = _graphics;
            return started;
        }

        public bool Reserve(double height) => Reserve(height, out _);

        public XGraphics ReserveGraphics(double height)
        {
            Reserve(height, out var graphics);
            return graphics;
        }

        public void Advance(double height) => Y += height;

        public void Finish() => _graphics.Dispose();

        private void NewPage()
        {
            _graphics?.Dispose();
            var page = _document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            _graphics = XGraphics.FromPdfPage(page);
            _pageHeight = page.Height.Point;
            Width = page.Width.Point - (2 * Margin);
            Y = Margin;
        }

        private List<string> Wrap(string text, XFont font, double width)
        {
            var lines = new List<string>();
            var line = "";
            foreach (var word in text.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && _graphics.MeasureString(candidate, font).Width > width)
                {
                    lines.Add(line);
                    line = word;
                }
                else
                {
                    line = candidate;
                }
            }

            lines.Add(line);
            return lines;
        }
    }
}
