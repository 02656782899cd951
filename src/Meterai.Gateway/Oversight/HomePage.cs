using System.Globalization;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// /oversight: the operator's actions (operators only), then the summary, then every registered
/// distributor in one row each, its evidence folded under the row, and the reports. English, with
/// the Indonesian parts marked; times in the reports' zone (WIB).
/// </summary>
internal sealed class HomePage : PageComponent
{
    /// <summary>The newest reports listed; the rest are a click away through the API.</summary>
    internal const int ReportsShown = 10;

    [Parameter, EditorRequired]
    public IReadOnlyList<DistributorOversightView> Distributors { get; set; } = [];

    [Parameter, EditorRequired]
    public IReadOnlyList<ReportSummary> Reports { get; set; } = [];

    /// <summary>True for an operator: the page then offers the operator's actions.</summary>
    [Parameter]
    public bool CanAct { get; set; }

    /// <summary>The last <see cref="OversightPages.ReportPeriod"/> hour by hour, for the fleet chart.</summary>
    [Parameter]
    public ReportTimeline? Timeline { get; set; }

    [Parameter]
    public ReaderClock Clock { get; set; } = ReaderClock.Wib;

    /// <summary>The audit window the figures cover, ending now.</summary>
    [Parameter]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    [Parameter]
    public DateTimeOffset Now { get; set; }

    protected override string Title => "Pengawasan distributor e-Meterai / Distributor oversight";

    protected override string Lang => "en";

    protected override bool Wide => true;

    protected override Html Content()
    {
        var registered = Distributors.Count;
        var selling = Distributors.Count(d => d.SellingNow);
        var sold = Distributors.Count(d => d.Issued > 0);
        var active = Distributors.Count(d => d.State == DistributorStates.Active);
        var flags = Distributors.Sum(d => d.Flags.Count);
        var window = Minutes(Window);
        return Html.Of($"""
            {(CanAct ? OperatorActions() : Html.Empty)}
            <section id="summary" class="summary">
            <p class="lead">Of <strong id="registered">{registered}</strong> registered distributors, <strong id="selling-now">{selling}</strong> {(selling == 1 ? "is" : "are")} selling now,
            <strong id="sold">{sold}</strong> sold in the last {window} and <strong id="active">{active}</strong> {(active == 1 ? "is" : "are")} active;
            {(registered == active ? "none is inactive" : $"{registered - active} {(registered - active == 1 ? "is" : "are")} inactive, with {flags} open {(flags == 1 ? "flag" : "flags")}")}.
            <span lang="id" class="id-line">Dari {registered} distributor terdaftar, {selling} menjual sekarang, {sold} menjual dalam {MinutesId(Window)} terakhir, {active} aktif.</span></p>
            <p class="muted">Three different questions. <strong>Selling now</strong>: healthy by its latest probe, in stock and not refusing orders (the count on /status).
            <strong>Sold</strong>: issued at least one e-Meterai. <strong>Active</strong>: no flag open; a distributor is inactive while one is.
            <a href="{OversightPaths.Home}/rules">How the gateway decides (the rules)</a>.
            Sold, availability, issued and undelivered cover the last {window}, to {Clock.Time(Now)}.</p>
            </section>
            <h2><span lang="id">Distributor</span> / Distributors</h2>
            <div class="table-wrap"><table id="distributors">
            <thead><tr><th>Distributor</th><th>State</th><th>Selling now</th><th class="num">Stock</th>
            <th class="num" title="Orders in flight the gateway allows now: learned, never above maxConcurrency">Concurrency limit</th>
            <th class="num">Availability</th><th class="num">Issued</th><th class="num">Undelivered</th></tr></thead>
            <tbody>{Html.Join(Distributors.Select(Row))}</tbody></table></div>
            {Charts()}
            <h2><span lang="id">Laporan pengawasan</span> / Oversight reports</h2>
            {ReportList()}
            """);
    }

    private Html Row(DistributorOversightView d)
    {
        var evidence = d.Flags.Count == 0 ? Html.Empty : Html.Of($"""
            <tr class="evidence"><td colspan="8"><details><summary><span lang="id">Bukti</span> / Evidence: {d.Flags.Count} open {(d.Flags.Count == 1 ? "flag" : "flags")}</summary>
            {FlagHtml.List(d.Flags, Clock)}</details></td></tr>
            """);
        return Html.Of($"""
            <tr class="distributor{(d.Flags.Count == 0 ? Html.Empty : Html.Trusted(" flagged"))}"><td class="name"><a href="{DistributorPage.PathOf(d.Id)}">{d.Name}</a> <span class="muted id">{d.Id}</span></td>
            <td class="state">{State(d)}</td>
            <td data-label="Selling now">{SellingNow(d)}</td>
            <td class="num" data-label="Stock">{Figures.Count(d.Stock)}</td>
            <td class="num" data-label="Concurrency limit">{Figures.Count(d.ConcurrencyLimit)}</td>
            <td class="num" data-label="Availability">{Figures.Percent(d.Availability)}</td>
            <td class="num" data-label="Issued">{Figures.Count(d.Issued)}</td><td class="num" data-label="Undelivered">{Figures.Count(d.Undelivered)}</td></tr>
            {evidence}
            """);
    }

    /// <summary>Selling now, or the first reason it is not, in the order the definition reads (docs/oversight-rules.md).</summary>
    internal static Html SellingNow(DistributorOversightView d) =>
        d.SellingNow ? Html.Text("yes")
        : d.Healthy is null ? Html.Of($"<strong>no</strong>: not probed yet")
        : d.Healthy == false ? Html.Of($"<strong>no</strong>: down")
        : d.Stock == 0 ? Html.Of($"<strong>no</strong>: no stock")
        : Html.Of($"<strong>no</strong>: refusing orders");

    internal static Html State(DistributorOversightView d) => d.State == DistributorStates.Active
        ? Html.Of($"""<span class="state active">active</span>""")
        : Html.Of($"""<span class="state inactive">inactive</span> {Html.Join(d.Flags.Select(f => FlagNames.Badge(f.Reason)))}""");

    private Html Charts() => Timeline is not { } timeline ? Html.Empty : Html.Of($"""
        <h2><span lang="id">24 jam terakhir</span> / Last 24 hours</h2>
        {ReportCharts.Fleet(timeline, Clock)}
        <p class="muted">Each distributor's own charts, over 30 days, are on its page: follow its name in the table.</p>
        """);

    private Html ReportList()
    {
        if (Reports.Count == 0)
        {
            return Html.Of($"""
                <p class="muted">No report has been built yet. One is built automatically at the end of each period{(CanAct ? Html.Of($"; you can build one now with the button at the top of this page") : Html.Empty)}.</p>
                """);
        }

        var rows = Reports.Take(ReportsShown).Select(r => Html.Of($"""
            <tr><td><a href="{OversightPages.ReportsPath}/{Uri.EscapeDataString(r.Id)}">{Clock.Period(r.From, r.To)}</a></td><td>{Clock.Time(r.CreatedAt)}</td></tr>
            """));
        var more = Reports.Count > ReportsShown
            ? Html.Of($"""<p class="muted">The newest {ReportsShown} of {Reports.Count}; GET /api/oversight/reports lists them all.</p>""")
            : Html.Empty;
        return Html.Of($"""
            <div class="table-wrap"><table id="reports"><thead><tr><th>Period</th><th>Built</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody></table></div>
            {more}
            """);
    }

    private Html OperatorActions() => Html.Of($"""
        <section id="operator-actions" class="actions no-print" aria-labelledby="operator-actions-title">
        <h2 id="operator-actions-title"><span lang="id">Tindakan operator</span> / Operator actions</h2>
        <form method="post" action="{OversightPages.AuditPath}">
        {AntiforgeryField()}
        <button type="submit"><span lang="id">Jalankan audit aktivitas sekarang</span> / Run the activity audit now</button>
        </form>
        <form method="post" action="{OversightPages.ReportsPath}">
        {AntiforgeryField()}
        <button type="submit"><span lang="id">Buat laporan 24 jam terakhir</span> / Build a report for the last 24 hours</button>
        </form>
        </section>
        """);

    private static string MinutesId(TimeSpan window) => window.TotalMinutes switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{window.TotalMinutes:0} menit"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{window.TotalHours:0.#} jam"),
    };

    private static string Minutes(TimeSpan window) => window.TotalMinutes switch
    {
        1 => "minute",
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{window.TotalMinutes:0} minutes"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{window.TotalHours:0.#} hours"),
    };
}
