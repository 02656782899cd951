using System.Globalization;
using System.Text.RegularExpressions;
using Meterai.Gateway.Oversight;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// Issue 29: the PDF a regulator files, read back with PdfPig: every page numbered with the period,
/// no heading left alone at the foot of a page, numbers right-aligned in their columns.
/// </summary>
public sealed partial class ReportPdfTests
{
    private static readonly DateTimeOffset From = new(2026, 12, 6, 17, 0, 0, TimeSpan.Zero);

    private static readonly string[] Headings =
    [
        "Findings", "Totals", "Surge headroom", "Hour by hour (WIB)", "Distributors", "Removed from the registry, still owing",
        "Issued for purchases sold elsewhere (owed as a credit)", "Overcharges", "Each distributor over the period",
    ];

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(14)]
    public void Write_LongReport_EveryPageSaysPageNOfMAndThePeriod(int findings)
    {
        using var document = PdfDocument.Open(ReportPdf.Write(Report(findings), ReaderClock.Wib));

        var pages = document.GetPages().ToList();
        Assert.InRange(pages.Count, 3, 8);
        foreach (var page in pages)
        {
            var text = Squeeze(page.Text);
            Assert.Contains(Squeeze($"page {page.Number} of {pages.Count}"), text, StringComparison.Ordinal);
            Assert.Contains(Squeeze("7 Dec 2026 00:00 WIB to 8 Dec 2026 00:00 WIB"), text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(14)]
    public void Write_LongReport_NoHeadingWithoutItsFirstLinesOnItsPage(int findings)
    {
        // Findings of different lengths move every later heading up and down the pages.
        using var document = PdfDocument.Open(ReportPdf.Write(Report(findings), ReaderClock.Wib));

        var seen = new List<string>();
        foreach (var page in document.GetPages())
        {
            var lines = ContentLines(page);
            Assert.True(lines.Count > 3, $"page {page.Number} holds only {string.Join(" / ", lines)}");
            for (var i = 0; i < lines.Count; i++)
            {
                if (Headings.Contains(lines[i]))
                {
                    seen.Add(lines[i]);

                    // A heading is followed on its page by at least a table header and a row (or three lines of text).
                    Assert.True(lines.Count - i - 1 >= 3, $"'{lines[i]}' is stranded at the foot of page {page.Number}");
                }
            }
        }

        Assert.Equal(Headings, seen);
    }

    [Fact]
    public void Write_DistributorTable_NumbersRightAlignedUnderTheirHeader()
    {
        using var document = PdfDocument.Open(ReportPdf.Write(Report(4), ReaderClock.Wib));

        var checkedColumns = 0;
        var widths = new List<int>();
        foreach (var page in document.GetPages())
        {
            var words = page.GetWords().ToList();
            // The distributor table's header line: the one with "Id" and "Name".
            var names = words.Where(w => w.Text == "Name").Select(w => Math.Round(w.BoundingBox.Bottom)).ToHashSet();
            var rows = words.Where(w => w.Text is "active" or "inactive").Select(w => Math.Round(w.BoundingBox.Bottom)).ToHashSet();
            foreach (var header in words.Where(w => w.Text is "Orders" or "e-Meterai" or "Failures" && names.Contains(Math.Round(w.BoundingBox.Bottom))))
            {
                // The numbers below this header, in the table's rows (a line with a state).
                var column = words.Where(w => Digits().IsMatch(w.Text) && rows.Contains(Math.Round(w.BoundingBox.Bottom)) && w.BoundingBox.Top < header.BoundingBox.Bottom
                    && w.BoundingBox.Right > header.BoundingBox.Left - 2 && w.BoundingBox.Right < header.BoundingBox.Right + 2).ToList();
                if (column.Count < 5)
                {
                    continue;
                }

                checkedColumns++;
                var rights = column.Select(w => w.BoundingBox.Right).Append(header.BoundingBox.Right).ToList();
                Assert.True(rights.Max() - rights.Min() < 0.75, $"'{header.Text}' on page {page.Number}: right edges {string.Join(", ", column.Select(w => $"{w.Text}@{w.BoundingBox.Left:0.0}-{w.BoundingBox.Right:0.0}"))}");
                widths.Add(column.Max(w => w.Text.Length));
            }
        }

        Assert.True(checkedColumns >= 3, $"only {checkedColumns} numeric columns found");

        // Numbers of different lengths (1 to 4 digits) shared those right edges.
        Assert.Contains(widths, w => w >= 4);
    }

    [Fact]
    public void Write_FlaggedDistributors_FlagsInPlainWordsNotCodes()
    {
        using var document = PdfDocument.Open(ReportPdf.Write(Report(4), ReaderClock.Wib));

        var text = Squeeze(string.Concat(document.GetPages().Select(p => p.Text)));
        Assert.Contains("Outofstock", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no_stock", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TwentySixDistributors_ChartsShareThePagesAsSmallMultiples()
    {
        using var document = PdfDocument.Open(ReportPdf.Write(Report(4), ReaderClock.Wib));

        // Each distributor's chart title once; at least three to a row, so they take at most 3 pages.
        var pages = document.GetPages().Where(p => Regex.IsMatch(p.Text, "\\d+ sold")).ToList();
        Assert.InRange(pages.Count, 1, 3);
        Assert.Equal(26, pages.Sum(p => Regex.Count(p.Text, "\\d+ sold")));
    }

    /// <summary>The page's lines of text top to bottom, without the running head and foot.</summary>
    private static List<string> ContentLines(Page page) =>
        page.GetWords()
            .Where(w => w.BoundingBox.Bottom > 42 && w.BoundingBox.Top < page.Height - 42)
            .GroupBy(w => Math.Round(w.BoundingBox.Bottom))
            .OrderByDescending(g => g.Key)
            .Select(g => string.Join(' ', g.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text)))
            .ToList();

    private static string Squeeze(string text) => Regex.Replace(text, "\\s+", "");

    [GeneratedRegex("^[0-9.]+$")]
    private static partial Regex Digits();

    private static OversightReport Report(int findings)
    {
        var hours = Enumerable.Range(0, 24).Select(i => From.AddHours(i)).ToList();
        var ids = Enumerable.Range(1, 26).Select(n => $"d{n:D2}").ToList();
        var fleet = hours.Select((h, i) => i < 5
            ? new FleetHour(h, 0, 0, 0, 0, null, 0, ObservedSeconds: 0, DistributorsSold: 0)
            : new FleetHour(h, 300 + (i * 7), 620 + i, i % 7 * 40, 340 + (i * 9), 900, 10, 3600, 10)).ToList();
        var distributors = ids.Select((id, n) => new DistributorTimeline(id, $"PT Distributor Contoh Nomor {n + 1}", hours.Select((h, i) => new DistributorHour(
            h, i < 5 ? null : n < 10 ? 1 : 0, i < 5 || n >= 10 ? 0 : 30 + i, 0, null)).ToList())).ToList();
        var rows = ids.Select((id, n) => new ReportDistributorRow(
            id, $"PT Distributor Contoh Nomor {n + 1}", n < 10 ? "active" : "inactive", n < 10 ? 1 : 0, 5760, n < 10 ? 0 : 5760,
            n < 10 ? 1200 + (n * 37) : 0, n < 10 ? 2400 + (n * 71) : 0, n is 13 or 14 ? 13 : n % 3, n % 2, 0, 0, n % 4, n % 4 * 10_000,
            n < 10 ? [] : ["no_stock"], n is 13 or 14 ? 13 : 0, n % 3, 1, n < 10)).ToList();
        var text = Enumerable.Range(1, findings).Select(i => string.Concat(Enumerable.Repeat($"Finding {i} says what the ledger and the probes show, in words a regulator reads. ", 1 + (i % 4)))).ToList();
        return new OversightReport(
            "rpt_pdf_test", From, From.AddDays(1), From.AddDays(1), 26, 13, text, new ReportTotals(12_000, 24_000, 240_000_000, 3, 2, 20_000, 5, 50_000), rows,
            new ReportTimeline(fleet, distributors),
            null,
            [new RemovedDistributorRow("d99", 2, 1, 10_000)],
            [new OrphanOrderRow("d01", "pur_orphan_0001", "ord_late_0001", 2, 20_000, From.AddHours(3))],
            [new OverchargeRow("ord_over_0001", "d02", "pur_over_0001", 2, 25_000, 20_000, From.AddHours(4))],
            10, 10, new ReportCoverage(68_400, 86_400));
    }
}
