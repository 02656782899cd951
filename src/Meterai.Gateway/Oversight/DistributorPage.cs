using Meterai.Gateway.Kernel;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// /oversight/distributors/{id}: one distributor now (the table's row, in full), its flags of the
/// last 30 days with their evidence, and those days as charts and as numbers.
/// </summary>
internal sealed class DistributorPage : PageComponent
{
    [Parameter, EditorRequired]
    public DistributorHistory History { get; set; } = null!;

    [Parameter]
    public ReaderClock Clock { get; set; } = ReaderClock.Wib;

    /// <summary>The audit window the figures "now" cover.</summary>
    [Parameter]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    protected override string Title => $"{History.Distributor.Name} ({History.Distributor.Id})";

    protected override string Lang => "en";

    protected override bool Wide => true;

    public static string PathOf(string id) => $"{OversightPaths.Home}/distributors/{Uri.EscapeDataString(id)}";

    protected override Html Content()
    {
        var d = History.Distributor;
        var days = History.Days;
        var probes = days.Sum(x => x.Probes);
        var open = History.Flags.Where(f => f.ResolvedAt is null).ToList();
        var resolved = History.Flags.Where(f => f.ResolvedAt is not null).ToList();
        return Html.Of($"""
            <p class="no-print"><a href="{OversightPaths.Home}">← <span lang="id">Semua distributor</span> / All distributors</a></p>
            <h2><span lang="id">Sekarang</span> / Now</h2>
            <dl class="figures compact" id="now">
            <div><dt>State</dt><dd>{HomePage.State(d)}</dd></div>
            <div><dt>Healthy at the last probe</dt><dd>{(d.Healthy switch { true => "yes", false => "no", null => "not probed yet" })}</dd></div>
            <div><dt>Stock</dt><dd>{Figures.Count(d.Stock)}</dd></div>
            <div><dt>Concurrency limit</dt><dd>{Figures.Count(d.ConcurrencyLimit)}<small>orders in flight the gateway allows it now</small></dd></div>
            <div><dt>Availability, last {Window.TotalMinutes:0} minutes</dt><dd>{Figures.Percent(d.Availability)}</dd></div>
            <div><dt>Issued / undelivered, last {Window.TotalMinutes:0} minutes</dt><dd>{Figures.Count(d.Issued)} / {Figures.Count(d.Undelivered)}</dd></div>
            </dl>
            <h2><span lang="id">{days.Count} hari terakhir</span> / Last {days.Count} days</h2>
            <p class="lead" id="period-totals">{Figures.Count(probes)} probes, {(probes == 0 ? "none answered" : Figures.Percent((double)days.Sum(x => x.HealthyProbes) / probes) + " answered")};
            {Figures.Count(days.Sum(x => x.Offers))} orders offered, {Figures.Count(days.Sum(x => x.Sold))} taken, {Figures.Count(days.Sum(x => x.Refused))} turned away;
            {Figures.Count(days.Sum(x => x.Undelivered))} paid and not delivered.
            <span class="muted">Days run from 00:00 to 24:00 {Clock.Zone}; today so far.</span></p>
            <div class="charts">{DistributorCharts.Availability(days)}{DistributorCharts.Orders(days)}</div>
            <h2><span lang="id">Tanda</span> / Flags</h2>
            {Flags(open, resolved)}
            <h2><span lang="id">Hari demi hari</span> / Day by day</h2>
            <div class="table-wrap"><table id="days">
            <thead><tr><th>Day</th><th class="num">Probes</th><th class="num">Availability</th><th class="num">Sold-out probes</th>
            <th class="num">Offered</th><th class="num">Taken</th><th class="num">Turned away</th><th class="num">Paid, not delivered</th></tr></thead>
            <tbody>{Html.Join(days.Reverse().Select(Day))}</tbody></table></div>
            """);
    }

    private Html Flags(List<FlagView> open, List<FlagView> resolved)
    {
        if (open.Count == 0 && resolved.Count == 0)
        {
            return Html.Of($"""<p id="flags"><span lang="id">Tidak ada tanda dalam periode ini.</span> / No flag in the period.</p>""");
        }

        return Html.Of($"""
            <div id="flags">
            {(open.Count == 0 ? Html.Of($"<p>No open flag.</p>") : Html.Of($"<h3>Open</h3>{FlagHtml.List(open, Clock)}"))}
            {(resolved.Count == 0 ? Html.Empty : Html.Of($"<h3>Resolved in the period</h3>{FlagHtml.List(resolved, Clock)}"))}
            </div>
            """);
    }

    private static Html Day(DistributorDay day) => Html.Of($"""
        <tr><td class="nowrap">{day.Day:ddd d MMM}</td><td class="num">{Figures.Count(day.Probes)}</td><td class="num">{Figures.Percent(day.Availability)}</td>
        <td class="num">{Figures.Count(day.SoldOutProbes)}</td><td class="num">{Figures.Count(day.Offers)}</td><td class="num">{Figures.Count(day.Sold)}</td>
        <td class="num">{Figures.Count(day.Refused)}</td><td class="num">{Figures.Count(day.Undelivered)}</td></tr>
        """);
}
