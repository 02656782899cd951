using System.Globalization;
using PdfSharp.Pdf;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The report as a PDF document to file: the same findings, totals, charts and tables as the
/// report page, laid out on A4 by PDFsharp (pure .NET, MIT; no browser process on the server).
/// Layout is <see cref="ReportPdfWriter"/>'s, the charts <see cref="ReportPdfCharts"/>'.
/// </summary>
internal static class ReportPdf
{
    /// <param name="clock">The zone the reader reads times in; the stored report and its JSON stay in UTC.</param>
    public static byte[] Write(OversightReport report, ReaderClock clock)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(clock);
        PdfFonts.EnsureInstalled();
        using var document = new PdfDocument();
        var period = $"{clock.Text(report.From)} to {clock.Text(report.To)}";
        document.Info.Title = $"e-Meterai oversight report {report.Id}";
        document.Info.Subject = period;
        document.Info.Creator = "meterai-gateway";

        using var w = new ReportPdfWriter(document);
        w.Text("Laporan pengawasan e-Meterai / e-Meterai oversight report", w.Title, ReportPdfWriter.Ink, after: 4);
        w.Text($"Period: {period}. Built {clock.Text(report.CreatedAt)}. Report {report.Id}.", w.Body, ReportPdfWriter.Muted, after: 2);
        if (report.Coverage is { } coverage)
        {
            w.Text($"Coverage: {coverage.Describe()}.", w.Body, ReportPdfWriter.Muted, after: 4);
        }

        Findings(w, report.Findings, clock);
        Totals(w, report);

        if (report.Timeline is { } timeline)
        {
            w.Heading("Surge headroom", ReportPdfCharts.FleetBlockHeight(w, clock));
            ReportPdfCharts.Fleet(w, timeline, clock);
            Hours(w, timeline, clock);
        }

        Distributors(w, report.Distributors);
        Owed(w, report, clock);
        Overcharges(w, report, clock);

        if (report.Timeline is { Distributors.Count: > 0 } perDistributor)
        {
            var legend = ReportPdfCharts.MultiplesLegend(clock);
            w.Heading("Each distributor over the period", w.TextHeight(legend, w.Small, after: 6) + ReportPdfCharts.RowHeight(w));
            w.Text(legend, w.Small, ReportPdfWriter.Muted, after: 6);
            ReportPdfCharts.Multiples(w, perDistributor, clock);
        }

        w.Finish($"e-Meterai oversight report · {period}", report.Id);
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>The findings as stored, with their times in the reader's zone.</summary>
    private static void Findings(ReportPdfWriter w, IEnumerable<string> stored, ReaderClock clock)
    {
        const double indent = 16;
        var findings = stored.Select(clock.Localise).ToList();
        w.Heading("Findings", findings.Count == 0 ? 0 : w.TextHeight(findings[0], w.Body, indent, after: 4));
        for (var i = 0; i < findings.Count; i++)
        {
            w.Text(findings[i], w.Body, ReportPdfWriter.Ink, indent, after: 4, hanging: $"{i + 1}.");
        }
    }

    private static void Totals(ReportPdfWriter w, OversightReport report)
    {
        var t = report.Totals;
        var rows = new List<string[]>
        {
            new[] { "Registered distributors", N(report.RegisteredDistributors), "" },
            new[] { "Sold in the period", N(report.SoldDistributors), "distributors that issued at least one order" },
        };
        if (report.SellingWhenBuilt is { } selling)
        {
            rows.Add(["Selling when the report was built", N(selling), "healthy by probe, in stock, not refusing orders"]);
        }

        if (report.ActiveDistributors is { } active)
        {
            rows.Add(["Active", N(active), "no flag open during the period"]);
        }

        rows.AddRange(
        [
            ["e-Meterai issued", N(t.EMeteraiIssued), $"in {N(t.OrdersIssued)} orders"],
            ["Amount issued", ReportBuilder.Rupiah(t.AmountIssued), ""],
            ["Paid, not delivered within the deadline", N(t.Undelivered), "purchases made in the period"],
            ["Refunds owed at the time of the report", N(t.RefundsOwed), ReportBuilder.Rupiah(t.RefundsOwedAmount)],
            ["Refunds made in the period", N(t.RefundsMade), ReportBuilder.Rupiah(t.RefundsMadeAmount)],
        ]);
        w.Table("Totals", [new("Figure", MinWidth: 170), new("Value", Numeric: true, MinWidth: 60), new("Of what")], rows);
    }

    private static void Hours(ReportPdfWriter w, ReportTimeline timeline, ReaderClock clock) =>
        w.Table(
            $"Hour by hour ({clock.Zone})",
            [
                new($"Hour ({clock.Zone})"), new("Observed", Numeric: true), new("Demand", Numeric: true), new("Orders\nsold", Numeric: true),
                new("Refused\n(503)", Numeric: true), new("Capacity\nper hour", Numeric: true), new("Distributors\nselling", Numeric: true),
                new("Distributors\nthat sold", Numeric: true),
            ],
            ReportPage.HourRows(timeline.Fleet, clock).Select(r => r.Hour is not { } h ? [r.Label, "not observed", "–", "–", "–", "–", "–", "–"] : new[]
            {
                r.Label,
                ReportPage.Observed(h),
                N(h.Demand), N(h.Sold), N(h.Refused),
                h.CapacityPerHour is { } c ? N(c) : "–",
                N(h.SellingDistributors),
                h.DistributorsSold is { } sold ? N(sold) : "–",
            }).ToList(),
            "Demand: purchases asked for, refused ones included. Refused: answered 503 for lack of capacity. Distributors selling: healthy, in stock and not refusing orders for most of the hour; that sold: issued at least one order in it.");

    private static void Distributors(ReportPdfWriter w, IReadOnlyList<ReportDistributorRow> rows) =>
        w.Table(
            "Distributors",
            [
                new("Id"), new("Name", MinWidth: 84), new("State"), new("Able\nto sell", Numeric: true), new("Stock-outs\n/ probes", Numeric: true),
                new("Orders", Numeric: true), new("e-Meterai", Numeric: true), new("Failures", Numeric: true), new("of which\nrefused", Numeric: true),
                new("Undeliv-\nered", Numeric: true), new("Refunds\nowed / made", Numeric: true), new("Flags"),
            ],
            rows.Select(d => new[]
            {
                d.Id, d.Name, d.State, OversightPages.Percent(d.Availability), $"{N(d.StockOutProbes)} / {N(d.Probes)}",
                N(d.OrdersIssued), N(d.EMeteraiIssued), N(d.Failures), d.Refused is { } r ? N(r) : "–",
                N(d.Undelivered), $"{N(d.RefundsOwed)} / {N(d.RefundsMade)}", string.Join(", ", d.Flags.Select(f => FlagNames.Of(f).En)),
            }).ToList(),
            "Able to sell: share of the observed time its probes found it healthy and in stock (0% when it refused every order offered). Failures: orders offered that it did not take, refused (out of stock included) or ambiguous.");

    /// <summary>What is owed outside the registered rows: removed distributors' open purchases, and orphan orders issued.</summary>
    private static void Owed(ReportPdfWriter w, OversightReport report, ReaderClock clock)
    {
        if (report.RemovedDistributors is { Count: > 0 } removed)
        {
            w.Table(
                "Removed from the registry, still owing",
                [new("Id"), new("Unresolved\npurchases", Numeric: true), new("Refunds\nowed", Numeric: true), new("Amount\nowed", Numeric: true)],
                removed.Select(d => new[] { d.Id, N(d.Unresolved), N(d.RefundsOwed), ReportBuilder.Rupiah(d.RefundsOwedAmount) }).ToList());
        }

        if (report.OrphanOrders is { Count: > 0 } orphans)
        {
            w.Table(
                "Issued for purchases sold elsewhere (owed as a credit)",
                [new("Distributor"), new("Purchase"), new("Order"), new("e-Meterai", Numeric: true), new("Amount", Numeric: true), new("Found")],
                orphans.Select(o => new[]
                {
                    o.DistributorId, o.PurchaseId, o.OrderId ?? "", N(o.Quantity), ReportBuilder.Rupiah(o.Amount ?? 0),
                    o.FoundAt is { } at ? clock.Text(at) : "",
                }).ToList(),
                "The Distributor API (version 1) allows no refund of an issued e-Meterai, so the distributor owes the applicant a credit.");
        }
    }

    /// <summary>Orders charged above quantity × 10,000 in the period (docs/api/gateway-api.md: overcharges).</summary>
    private static void Overcharges(ReportPdfWriter w, OversightReport report, ReaderClock clock)
    {
        if (report.Overcharges is { Count: > 0 } overcharges)
        {
            w.Table(
                "Overcharges",
                [new("Order"), new("Distributor"), new("e-Meterai", Numeric: true), new("Charged", Numeric: true), new("Due", Numeric: true), new("Found")],
                overcharges.Select(o => new[]
                {
                    o.OrderId, o.DistributorId, N(o.Quantity), ReportBuilder.Rupiah(o.AmountCharged), ReportBuilder.Rupiah(o.AmountDue), clock.Text(o.FoundAt),
                }).ToList(),
                "Orders charged more than Rp 10.000 per e-Meterai. The orders counted; the applicants are owed the difference.");
        }
    }

    private static string N(double value) => ReportCharts.Count(value);
}
