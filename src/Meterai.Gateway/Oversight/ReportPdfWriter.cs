using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Meterai.Gateway.Oversight;

/// <summary>One column of a PDF table: its header (a line break for a second line) and whether it holds numbers (right-aligned).</summary>
internal sealed record PdfColumn(string Header, bool Numeric = false, double MinWidth = 0);

/// <summary>
/// A top-to-bottom cursor over A4 pages for <see cref="ReportPdf"/>: text that wraps, headings kept
/// with what follows them, tables whose header repeats on each page, and a running head (the
/// period) and foot ("page N of M") drawn on every page once the page count is known.
/// </summary>
internal sealed class ReportPdfWriter : IDisposable
{
    public const double Margin = 42;
    private const double HeadSpace = 22;
    private const double CellPad = 3.5;

    public static readonly XColor Ink = XColor.FromArgb(0x11, 0x11, 0x11);
    public static readonly XColor Muted = XColor.FromArgb(0x4a, 0x4a, 0x4a);
    public static readonly XColor Rule = XColor.FromArgb(0xc4, 0xc4, 0xc4);
    public static readonly XColor Shade = XColor.FromArgb(0xf2, 0xf2, 0xf2);

    private readonly PdfDocument _document;
    private readonly List<PdfPage> _pages = [];
    private XGraphics _graphics = null!;
    private double _pageHeight;

    public ReportPdfWriter(PdfDocument document)
    {
        _document = document;
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        Title = new XFont(PdfFonts.Family, 14, XFontStyleEx.Bold, options);
        Heading2 = new XFont(PdfFonts.Family, 11.5, XFontStyleEx.Bold, options);
        Body = new XFont(PdfFonts.Family, 9, XFontStyleEx.Regular, options);
        Bold = new XFont(PdfFonts.Family, 7.5, XFontStyleEx.Bold, options);
        Cell = new XFont(PdfFonts.Family, 7.5, XFontStyleEx.Regular, options);
        Small = new XFont(PdfFonts.Family, 6.5, XFontStyleEx.Regular, options);
        NewPage();
    }

    public XFont Title { get; }

    public XFont Heading2 { get; }

    public XFont Body { get; }

    public XFont Bold { get; }

    public XFont Cell { get; }

    public XFont Small { get; }

    public double Left { get; } = Margin;

    public double Width { get; private set; }

    public double Y { get; private set; }

    public XGraphics Graphics => _graphics;

    /// <summary>Room left on this page below the cursor.</summary>
    public double Room => _pageHeight - Margin - Y;

    public double HeadingHeight => 10 + (Heading2.GetHeight() * 1.15) + 4;

    /// <summary>A section heading, kept on one page with the first <paramref name="keepWithNext"/> points of what follows.</summary>
    public void Heading(string text, double keepWithNext)
    {
        Reserve(HeadingHeight + keepWithNext);
        Y += 10;
        Text(text, Heading2, Ink, after: 4);
    }

    public void Text(string text, XFont font, XColor colour, double indent = 0, double after = 2, string? hanging = null)
    {
        var lineHeight = LineHeight(font);
        var brush = new XSolidBrush(colour);
        var lines = Wrap(text, font, Width - indent);
        for (var i = 0; i < lines.Count; i++)
        {
            Reserve(lineHeight);
            if (i == 0 && hanging is not null)
            {
                _graphics.DrawString(hanging, font, brush, new XRect(Left, Y, indent - 4, lineHeight), XStringFormats.TopRight);
            }

            _graphics.DrawString(lines[i], font, brush, new XRect(Left + indent, Y, Width - indent, lineHeight), XStringFormats.TopLeft);
            Y += lineHeight;
        }

        Y += after;
    }

    /// <summary>The height <see cref="Text"/> takes for <paramref name="text"/>.</summary>
    public double TextHeight(string text, XFont font, double indent = 0, double after = 2) =>
        (Wrap(text, font, Width - indent).Count * LineHeight(font)) + after;

    /// <summary>
    /// A table under a heading: the heading, the header and the first rows stay together; a header
    /// repeats on each later page. Columns are as wide as their content; text columns wrap when
    /// they must, numbers never do and are right-aligned.
    /// </summary>
    public void Table(string heading, IReadOnlyList<PdfColumn> columns, IReadOnlyList<string[]> rows, string? note = null)
    {
        var widths = ColumnWidths(columns, rows);
        var headers = columns.Select(c => c.Header.Split('\n').ToList()).ToList();
        var lineHeight = LineHeight(Cell);
        var headerHeight = (headers.Max(h => h.Count) * lineHeight) + (2 * CellPad);
        List<List<string>> Cells(string[] row) => row.Select((c, i) => columns[i].Numeric ? [c] : Wrap(c, Cell, widths[i] - (2 * CellPad))).ToList();
        double Height(List<List<string>> cells) => (cells.Max(l => l.Count) * lineHeight) + (2 * CellPad);

        var first = rows.Take(3).Sum(r => Height(Cells(r)));
        var noteHeight = note is null ? 0 : TextHeight(note, Small, after: 4);
        Heading(heading, noteHeight + headerHeight + first);
        if (note is not null)
        {
            Text(note, Small, Muted, after: 4);
        }

        Header();
        foreach (var row in rows)
        {
            var cells = Cells(row);
            var height = Height(cells);
            if (Reserve(height))
            {
                Header();
            }

            var x = Left;
            for (var i = 0; i < cells.Count; i++)
            {
                for (var l = 0; l < cells[i].Count; l++)
                {
                    _graphics.DrawString(cells[i][l], Cell, new XSolidBrush(Ink), CellRect(x, Y + CellPad + (l * lineHeight), widths[i], lineHeight), columns[i].Numeric ? XStringFormats.TopRight : XStringFormats.TopLeft);
                }

                x += widths[i];
            }

            Y += height;
            _graphics.DrawLine(new XPen(Rule, 0.4), Left, Y, Left + widths.Sum(), Y);
        }

        Y += 8;

        void Header()
        {
            _graphics.DrawRectangle(new XSolidBrush(Shade), Left, Y, widths.Sum(), headerHeight);
            var x = Left;
            for (var i = 0; i < columns.Count; i++)
            {
                // Two-line headers sit on the baseline of the longest, so single-line ones line up with the numbers below.
                var offset = (headers.Max(h => h.Count) - headers[i].Count) * lineHeight;
                for (var l = 0; l < headers[i].Count; l++)
                {
                    _graphics.DrawString(headers[i][l], Bold, new XSolidBrush(Ink), CellRect(x, Y + CellPad + offset + (l * lineHeight), widths[i], lineHeight), columns[i].Numeric ? XStringFormats.TopRight : XStringFormats.TopLeft);
                }

                x += widths[i];
            }

            Y += headerHeight;
            _graphics.DrawLine(new XPen(Ink, 0.7), Left, Y, Left + widths.Sum(), Y);
        }
    }

    /// <summary>Room for <paramref name="height"/> on this page, or a new page; true when a page was started.</summary>
    public bool Reserve(double height)
    {
        if (Y + height <= _pageHeight - Margin || Y <= Margin + HeadSpace)
        {
            return false;
        }

        NewPage();
        return true;
    }

    public void Advance(double height) => Y += height;

    /// <summary>The running head and foot on every page, now that the page count is known.</summary>
    public void Finish(string head, string id)
    {
        _graphics.Dispose();
        for (var i = 0; i < _pages.Count; i++)
        {
            using var g = XGraphics.FromPdfPage(_pages[i], XGraphicsPdfPageOptions.Append);
            var width = _pages[i].Width.Point - (2 * Margin);
            var brush = new XSolidBrush(Muted);
            g.DrawString(head, Small, brush, new XRect(Margin, Margin - 18, width, 10), XStringFormats.TopLeft);
            g.DrawLine(new XPen(Rule, 0.5), Margin, Margin - 6, Margin + width, Margin - 6);
            var foot = _pageHeight - Margin + 14;
            g.DrawString(id, Small, brush, new XRect(Margin, foot, width, 10), XStringFormats.TopLeft);
            g.DrawString($"page {i + 1} of {_pages.Count}", Small, brush, new XRect(Margin, foot, width, 10), XStringFormats.TopRight);
        }
    }

    public void Dispose() => _graphics?.Dispose();

    public double Measure(string text, XFont font) => _graphics.MeasureString(text, font).Width;

    public static double LineHeight(XFont font) => font.GetHeight() * 1.18;

    private static XRect CellRect(double x, double y, double width, double height) => new(x + CellPad, y, width - (2 * CellPad), height);

    /// <summary>
    /// Each column's natural width. When the table is wider than the page, text columns give up
    /// room first (wrapping, never below their longest word or their minimum), then every column alike.
    /// </summary>
    private double[] ColumnWidths(IReadOnlyList<PdfColumn> columns, IReadOnlyList<string[]> rows)
    {
        const double pad = (2 * CellPad) + 3;
        var header = columns.Select(c => c.Header.Split('\n').Max(h => Measure(h, Bold)) + pad).ToArray();
        var natural = columns.Select((c, i) => Math.Max(c.MinWidth, Math.Max(header[i], rows.Select(r => Measure(r[i], Cell)).DefaultIfEmpty(0).Max() + pad))).ToArray();
        var floor = columns.Select((c, i) => c.Numeric ? natural[i] : Math.Max(Math.Max(c.MinWidth, header[i]),
            rows.SelectMany(r => r[i].Split(' ')).Select(word => Measure(word, Cell) + pad).DefaultIfEmpty(0).Max())).ToArray();
        var excess = natural.Sum() - Width;
        if (excess <= 0)
        {
            return natural;
        }

        var give = natural.Select((w, i) => Math.Max(0, w - floor[i])).ToArray();
        var total = give.Sum();
        var widths = natural.Select((w, i) => total <= 0 ? w : w - (give[i] / total * Math.Min(excess, total))).ToArray();
        var over = widths.Sum() / Width;
        return over > 1 ? widths.Select(w => w / over).ToArray() : widths;
    }

    private void NewPage()
    {
        _graphics?.Dispose();
        var page = _document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        _pages.Add(page);
        _graphics = XGraphics.FromPdfPage(page);
        _pageHeight = page.Height.Point;
        Width = page.Width.Point - (2 * Margin);
        Y = Margin + HeadSpace - 14;
    }

    private List<string> Wrap(string text, XFont font, double width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' '))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && Measure(candidate, font) > width)
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
