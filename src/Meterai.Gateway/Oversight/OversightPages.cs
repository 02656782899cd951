using System.Globalization;
using Meterai.Gateway.Auth;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Oversight;

/// <summary>The regulator pages under /oversight: server-rendered, readable without JavaScript, printable.</summary>
public static class OversightPages
{
    public static RazorComponentResult<ReportPage> Report(OversightReport report) => new(new { Report = report });

    public static IEndpointRouteBuilder MapOversightPages(this IEndpointRouteBuilder app)
    {
        app.MapGet(OversightPaths.Home, HomeAsync).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(OversightPaths.Home + "/reports/{reportId}", ReportAsync).RequireAuthorization(OversightPolicies.Read);
        return app;
    }

    internal static async Task<RazorComponentResult<HomePage>> HomeAsync(OversightQueries queries, ReportBuilder reports, CancellationToken cancellationToken)
    {
        var distributors = await queries.GetDistributorsAsync(cancellationToken);
        var list = await reports.ListAsync(cancellationToken);
        return new(new { Distributors = distributors, Reports = list });
    }

    internal static async Task<Results<RazorComponentResult<ReportPage>, NotFound>> ReportAsync(string reportId, ReportBuilder reports, CancellationToken cancellationToken) =>
        await reports.GetAsync(reportId, cancellationToken) is { } report ? Report(report) : TypedResults.NotFound();

    internal static string Percent(double? share) => share is { } s ? s.ToString("0%", CultureInfo.InvariantCulture) : "–";

    internal static string When(DateTimeOffset at) => ActivityRules.Format(at);
}

/// <summary>/oversight: every registered distributor with its state, evidence and open flags, and the reports.</summary>
public sealed class HomePage : PageComponent
{
    [Parameter, EditorRequired]
    public IReadOnlyList<DistributorOversightView> Distributors { get; set; } = [];

    [Parameter, EditorRequired]
    public IReadOnlyList<ReportSummary> Reports { get; set; } = [];

    protected override string Title => "Pengawasan distributor e-Meterai / Distributor oversight";

    protected override Html Content()
    {
        var active = Distributors.Count(d => d.State == DistributorStates.Active);
        var rows = Distributors.Select(d => Html.Of($"""
            <tr><td>{d.Id}</td><td>{d.Name}</td><td>{State(d.State)}</td>
            <td>{(d.Healthy switch { true => "yes", false => "no", null => "–" })}</td>
            <td class="num">{(d.Stock?.ToString(CultureInfo.InvariantCulture) ?? "–")}</td>
            <td class="num">{OversightPages.Percent(d.Availability)}</td>
            <td class="num">{d.Issued}</td><td class="num">{d.Undelivered}</td>
            <td>{Html.Join(d.Flags.Select(f => Html.Of($"<p><strong>{f.Reason}</strong>: {f.Evidence.Summary}</p>")))}</td></tr>
            """));
        var reports = Reports.Count == 0
            ? Html.Of($"<p class=\"muted\">No report has been built yet. Operators build one with POST /api/oversight/reports; a daily one is built automatically.</p>")
            : Html.Of($"""
                <div class="table-wrap"><table><thead><tr><th>Period</th><th>Built</th></tr></thead><tbody>
                {Html.Join(Reports.Select(r => Html.Of($"""<tr><td><a href="/oversight/reports/{r.Id}">{OversightPages.When(r.From)} – {OversightPages.When(r.To)}</a></td><td>{OversightPages.When(r.CreatedAt)}</td></tr>""")))}
                </tbody></table></div>
                """);

        return Html.Of($"""
            <p><strong>{active} of {Distributors.Count}</strong> registered distributors are active; {Distributors.Count - active} are flagged inactive.
            <span class="en">Availability, issued and undelivered cover the current audit window; the rules are in docs/oversight-rules.md.</span></p>
            <h2>Distributors</h2>
            <div class="table-wrap"><table id="distributors">
            <thead><tr><th>Id</th><th>Name</th><th>State</th><th>Healthy</th><th class="num">Stock</th><th class="num">Availability</th><th class="num">Issued</th><th class="num">Undelivered</th><th>Open flags and evidence</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody></table></div>
            <h2>Oversight reports</h2>
            {reports}
            """);
    }

    private static Html State(string state) => state == DistributorStates.Active
        ? Html.Of($"active")
        : Html.Of($"<strong>inactive</strong>");
}

/// <summary>One oversight report, as a printable finding.</summary>
public sealed class ReportPage : PageComponent
{
    [Parameter, EditorRequired]
    public OversightReport Report { get; set; } = null!;

    protected override string Title => "Laporan pengawasan e-Meterai / e-Meterai oversight report";

    protected override Html Content()
    {
        var t = Report.Totals;
        var rows = Report.Distributors.Select(d => Html.Of($"""
            <tr><td>{d.Id}</td><td>{d.Name}</td><td>{d.State}</td>
            <td class="num">{OversightPages.Percent(d.Availability)}</td><td class="num">{d.StockOutProbes} / {d.Probes}</td>
            <td class="num">{d.OrdersIssued}</td><td class="num">{d.EMeteraiIssued}</td><td class="num">{d.Failures}</td>
            <td class="num">{d.Undelivered}</td><td class="num">{d.RefundsOwed}</td><td class="num">{d.RefundsMade}</td>
            <td>{string.Join(", ", d.Flags)}</td></tr>
            """));
        return Html.Of($"""
            <p>Period: <strong>{OversightPages.When(Report.From)}</strong> to <strong>{OversightPages.When(Report.To)}</strong>.
            Built {OversightPages.When(Report.CreatedAt)}. Report {Report.Id}.</p>
            <h2>Findings</h2>
            <ol id="findings">{Html.Join(Report.Findings.Select(f => Html.Of($"<li>{f}</li>")))}</ol>
            <h2>Totals</h2>
            <dl class="figures">
            <div><dt>Registered / selling distributors</dt><dd>{Report.RegisteredDistributors} / {Report.SellingDistributors}</dd></div>
            <div><dt>e-Meterai issued</dt><dd>{t.EMeteraiIssued}<small>in {t.OrdersIssued} orders, {ReportBuilder.Rupiah(t.AmountIssued)}</small></dd></div>
            <div><dt>Paid, not delivered within the deadline</dt><dd>{t.Undelivered}</dd></div>
            <div><dt>Refunds owed / made</dt><dd>{t.RefundsOwed} / {t.RefundsMade}<small>{ReportBuilder.Rupiah(t.RefundsOwedAmount)} owed, {ReportBuilder.Rupiah(t.RefundsMadeAmount)} refunded</small></dd></div>
            </dl>
            <h2>Distributors</h2>
            <div class="table-wrap"><table id="report-distributors">
            <thead><tr><th>Id</th><th>Name</th><th>State</th><th class="num">Availability</th><th class="num">Stock-outs / probes</th><th class="num">Orders</th><th class="num">e-Meterai</th><th class="num">Failures</th><th class="num">Undelivered</th><th class="num">Refunds owed</th><th class="num">Refunds made</th><th>Flags</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody></table></div>
            <p class="no-print"><a href="/oversight">Back to all distributors</a></p>
            """);
    }
}
