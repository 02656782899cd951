using System.Globalization;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;

namespace Meterai.Gateway.Oversight;

/// <summary>One oversight report, as a printable finding, with its charts and a PDF to file.</summary>
internal sealed class ReportPage : PageComponent
{
    [Parameter, EditorRequired]
    public OversightReport Report { get; set; } = null!;

    /// <summary>The zone a person reads the times in (Oversight:ReportUtcOffsetHours); the JSON and CSV keep UTC.</summary>
    [Parameter]
    public ReaderClock Clock { get; set; } = ReaderClock.Wib;

    protected override string Title => "Laporan pengawasan e-Meterai / e-Meterai oversight report";

    protected override Html Content()
    {
        var t = Report.Totals;
        var rows = Report.Distributors.Select(d => Html.Of($"""
            <tr><td class="nowrap">{d.Id}</td><td class="name">{d.Name}</td><td>{d.State}</td>
            <td class="num">{OversightPages.Percent(d.Availability)}</td><td class="num">{d.StockOutProbes} / {d.Probes}</td>
            <td class="num">{d.OrdersIssued}</td><td class="num">{d.EMeteraiIssued}</td><td class="num">{d.Failures}</td><td class="num">{(d.Refused is { } r ? r.ToString(CultureInfo.InvariantCulture) : "–")}</td>
            <td class="num">{d.Undelivered}</td><td class="num nowrap">{d.RefundsOwed} / {d.RefundsMade}</td>
            <td>{string.Join(", ", d.Flags.Select(f => FlagNames.Of(f).En))}</td></tr>
            """));
        return Html.Of($"""
            <p>Period: <strong>{Clock.Time(Report.From)}</strong> to <strong>{Clock.Time(Report.To)}</strong>.
            Built {Clock.Time(Report.CreatedAt)}. Report {Report.Id}.</p>
            {(Report.Coverage is { } coverage ? Html.Of($"<p id=\"coverage\">Coverage: {coverage.Describe()}.</p>") : Html.Empty)}
            <p class="no-print"><a id="download-pdf" href="{PdfPath(Report.Id)}" download>Unduh PDF / Download PDF</a></p>
            <h2>Findings</h2>
            <ol id="findings">{Html.Join(Report.Findings.Select(f => Html.Of($"<li>{Clock.Localise(f)}</li>")))}</ol>
            <h2>Totals</h2>
            <dl class="figures">
            <div><dt>Registered distributors</dt><dd id="registered">{Report.RegisteredDistributors}</dd></div>
            <div><dt>Sold in the period</dt><dd id="sold">{Report.SoldDistributors}<small>distributors that issued at least one order</small></dd></div>
            {(Report.SellingWhenBuilt is { } selling ? Html.Of($"<div><dt>Selling when the report was built</dt><dd id=\"selling\">{selling}<small>healthy by probe, in stock, not refusing orders ({Clock.Text(Report.CreatedAt)})</small></dd></div>") : Html.Empty)}
            {(Report.ActiveDistributors is { } active ? Html.Of($"<div><dt>Active</dt><dd id=\"active\">{active}<small>no flag open during the period</small></dd></div>") : Html.Empty)}
            <div><dt>e-Meterai issued</dt><dd>{t.EMeteraiIssued}<small>in {t.OrdersIssued} orders, {ReportBuilder.Rupiah(t.AmountIssued)}</small></dd></div>
            <div><dt>Paid, not delivered within the deadline</dt><dd>{t.Undelivered}</dd></div>
            <div><dt>Refunds owed now / made in the period</dt><dd>{t.RefundsOwed} / {t.RefundsMade}<small>{ReportBuilder.Rupiah(t.RefundsOwedAmount)} owed at the time of the report, {ReportBuilder.Rupiah(t.RefundsMadeAmount)} refunded in the period</small></dd></div>
            </dl>
            {Timeline()}
            <h2>Distributors</h2>
            <div class="table-wrap"><table id="report-distributors">
            <thead><tr><th>Id</th><th>Name</th><th>State</th><th class="num">Able to sell</th><th class="num">Stock-outs / probes</th><th class="num">Orders</th><th class="num">e-Meterai</th><th class="num">Fail&shy;ures</th><th class="num">of which re&shy;fused</th><th class="num">Undeliv&shy;ered</th><th class="num">Refunds owed / made</th><th>Flags</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody></table></div>
            <p class="en">Able to sell: share of the observed time its probes found it healthy and in stock (0% when it refused every order offered). Failures: orders offered that it did not take, refused (out of stock included) or ambiguous.</p>
            {Owed()}
            {Overcharges()}
            {(Report.Timeline is { } perDistributor ? Html.Of($"<h2>Each distributor over the period</h2>{ReportCharts.Distributors(perDistributor, Clock)}") : Html.Empty)}
            <p class="no-print"><a href="/oversight">Back to all distributors</a></p>
            """);
    }

    /// <summary>What is owed outside the registered rows: removed distributors' open purchases, and orphan orders issued.</summary>
    private Html Owed()
    {
        var removed = Report.RemovedDistributors ?? [];
        var orphans = Report.OrphanOrders ?? [];
        var removedTable = removed.Count == 0 ? Html.Empty : Html.Of($"""
            <h2>Removed from the registry, still owing</h2>
            <div class="table-wrap"><table id="report-removed">
            <thead><tr><th>Id</th><th class="num">Unresolved purchases</th><th class="num">Refunds owed</th><th class="num">Amount owed</th></tr></thead>
            <tbody>{Html.Join(removed.Select(d => Html.Of($"<tr><td class=\"nowrap\">{d.Id}</td><td class=\"num\">{d.Unresolved}</td><td class=\"num\">{d.RefundsOwed}</td><td class=\"num\">{ReportBuilder.Rupiah(d.RefundsOwedAmount)}</td></tr>")))}</tbody></table></div>
            """);
        var orphanTable = orphans.Count == 0 ? Html.Empty : Html.Of($"""
            <h2>Issued for purchases sold elsewhere (owed as a credit)</h2>
            <p class="en">The Distributor API (version 1) allows no refund of an issued e-Meterai, so the distributor owes the applicant a credit.</p>
            <div class="table-wrap"><table id="report-orphans">
            <thead><tr><th>Distributor</th><th>Purchase</th><th>Order</th><th class="num">e-Meterai</th><th class="num">Amount</th><th>Found</th></tr></thead>
            <tbody>{Html.Join(orphans.Select(o => Html.Of($"<tr><td class=\"nowrap\">{o.DistributorId}</td><td class=\"nowrap\">{o.PurchaseId}</td><td class=\"nowrap\">{o.OrderId ?? ""}</td><td class=\"num\">{o.Quantity}</td><td class=\"num\">{ReportBuilder.Rupiah(o.Amount ?? 0)}</td><td class=\"nowrap\">{(o.FoundAt is { } at ? Clock.Text(at) : "")}</td></tr>")))}</tbody></table></div>
            """);
        return Html.Join([removedTable, orphanTable]);
    }

    /// <summary>Orders charged above quantity × 10,000 in the period (gateway spec: overcharges).</summary>
    private Html Overcharges()
    {
        var overcharges = Report.Overcharges ?? [];
        return overcharges.Count == 0 ? Html.Empty : Html.Of($"""
            <h2>Overcharges</h2>
            <p class="en">Orders charged more than Rp 10.000 per e-Meterai. The orders counted; the applicants are owed the difference.</p>
            <div class="table-wrap"><table id="report-overcharges">
            <thead><tr><th>Order</th><th>Distributor</th><th class="num">e-Meterai</th><th class="num">Amount charged</th><th class="num">Amount due</th><th>Found</th></tr></thead>
            <tbody>{Html.Join(overcharges.Select(o => Html.Of($"<tr><td class=\"nowrap\">{o.OrderId}</td><td class=\"nowrap\">{o.DistributorId}</td><td class=\"num\">{o.Quantity}</td><td class=\"num\">{ReportBuilder.Rupiah(o.AmountCharged)}</td><td class=\"num\">{ReportBuilder.Rupiah(o.AmountDue)}</td><td class=\"nowrap\">{Clock.Text(o.FoundAt)}</td></tr>")))}</tbody></table></div>
            """);
    }

    /// <summary>The hours as the tables list them: a run of hours the gateway did not observe is one row, with no figures.</summary>
    internal static IEnumerable<(string Label, FleetHour? Hour)> HourRows(IReadOnlyList<FleetHour> hours, ReaderClock clock)
    {
        for (var i = 0; i < hours.Count; i++)
        {
            if (hours[i].WasObserved())
            {
                yield return (clock.Hour(hours[i].Hour), hours[i]);
                continue;
            }

            var first = i;
            while (i + 1 < hours.Count && !hours[i + 1].WasObserved())
            {
                i++;
            }

            yield return (i == first ? clock.Hour(hours[i].Hour) : $"{clock.Hour(hours[first].Hour)} – {clock.Hour(hours[i].Hour)}", null);
        }
    }

    internal static string Observed(FleetHour hour) =>
        hour.ObservedSeconds is { } seen ? ActivityRules.Duration(seen) : "–";

    internal static string PdfPath(string reportId) => $"{OversightPages.ReportsPath}/{Uri.EscapeDataString(reportId)}/pdf";

    private Html Timeline()
    {
        if (Report.Timeline is not { } timeline)
        {
            return Html.Of($"<p class=\"muted\">This report was built before the gateway recorded hourly evidence, so it has no charts.</p>");
        }

        var hours = HourRows(timeline.Fleet, Clock).Select(r => r.Hour is not { } h ? Html.Of($"""
            <tr class="unobserved"><td class="nowrap">{r.Label}</td><td class="num">not observed</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">–</td></tr>
            """) : Html.Of($"""
            <tr><td class="nowrap">{r.Label}</td>
            <td class="num">{Observed(h)}</td>
            <td class="num">{h.Demand}</td><td class="num">{h.Sold}</td><td class="num">{h.Refused}</td>
            <td class="num">{(h.CapacityPerHour is { } c ? ReportCharts.Count(c) : "–")}</td>
            <td class="num">{h.SellingDistributors}</td><td class="num">{(h.DistributorsSold is { } sold ? sold.ToString(CultureInfo.InvariantCulture) : "–")}</td></tr>
            """));
        return Html.Of($"""
            <h2>Surge headroom</h2>
            {ReportCharts.Fleet(timeline, Clock)}
            <h2>Hour by hour</h2>
            <p class="en">Observed: how much of the hour the gateway saw (– for reports stored before it was recorded). Demand counts every purchase asked for, refused ones included; refused means answered 503 for lack of capacity. Selling: distributors healthy, in stock and not refusing orders for most of the hour; sold: distributors that issued at least one order in it. <a href="{OversightPages.RulesPath}">How the gateway counts (the rules)</a>.</p>
            <div class="table-wrap"><table id="report-hours">
            <thead><tr><th>Hour ({Clock.Zone})</th><th class="num">Observed</th><th class="num">Demand</th><th class="num">Orders sold</th><th class="num">Refused (503)</th><th class="num">Capacity per hour</th><th class="num">Distributors selling</th><th class="num">Distributors that sold</th></tr></thead>
            <tbody>{Html.Join(hours)}</tbody></table></div>
            """);
    }
}
