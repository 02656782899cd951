using System.Globalization;
using System.Security.Claims;
using Meterai.Gateway.Auth;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The regulator pages under /oversight: server-rendered, readable without JavaScript, printable.
/// Operators also act from them: two forms on /oversight run the activity audit and build a report.
/// </summary>
public static partial class OversightPages
{
    public const string AuditPath = OversightPaths.Home + "/audit";

    public const string ReportsPath = OversightPaths.Home + "/reports";

    /// <summary>The period of the report an operator builds from the page.</summary>
    public static readonly TimeSpan ReportPeriod = TimeSpan.FromHours(24);

    public static RazorComponentResult<ReportPage> Report(OversightReport report) => new(new { Report = report });

    public static IEndpointRouteBuilder MapOversightPages(this IEndpointRouteBuilder app)
    {
        app.MapGet(OversightPaths.Home, HomeAsync).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(ReportsPath + "/{reportId}", ReportAsync).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(ReportsPath + "/{reportId}/pdf", ReportPdfAsync).RequireAuthorization(OversightPolicies.Read);

        // The operator's forms on /oversight. Act: a regulator gets 403, anonymous 401; the token: 400 without it.
        app.MapPost(AuditPath, RunAuditAsync).RequireAuthorization(OversightPolicies.Act).RequireAntiforgeryForm();
        app.MapPost(ReportsPath, BuildReportAsync).RequireAuthorization(OversightPolicies.Act).RequireAntiforgeryForm();
        return app;
    }

    internal static async Task<RazorComponentResult<HomePage>> HomeAsync(
        ClaimsPrincipal user, OversightQueries queries, ReportBuilder reports, CancellationToken cancellationToken)
    {
        var distributors = await queries.GetDistributorsAsync(cancellationToken);
        var list = await reports.ListAsync(cancellationToken);
        var timeline = await queries.GetTimelineAsync(ReportPeriod, cancellationToken);
        return new(new { Distributors = distributors, Reports = list, CanAct = OversightPrincipal.RoleOf(user) == OversightRoles.Operator, Timeline = timeline });
    }

    /// <summary>The audit the API's POST /api/oversight/audit runs; the page then shows the flags it opened or resolved.</summary>
    internal static async Task<SeeOtherResult> RunAuditAsync(ClaimsPrincipal user, ActivityAuditor auditor, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var result = await auditor.RunAsync(cancellationToken);
        var logger = loggers.CreateLogger(typeof(OversightPages));
        var keyName = user.Identity?.Name;
        LogAuditRun(logger, keyName, result.Opened.Count, result.Resolved.Count);
        return new SeeOtherResult(OversightPaths.Home);
    }

    /// <summary>A report for the last <see cref="ReportPeriod"/>, then its printable page.</summary>
    internal static async Task<SeeOtherResult> BuildReportAsync(
        ClaimsPrincipal user, ReportBuilder reports, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var report = await reports.BuildAsync(to - ReportPeriod, to, cancellationToken);
        var logger = loggers.CreateLogger(typeof(OversightPages));
        var keyName = user.Identity?.Name;
        LogReportBuilt(logger, keyName, report.Id);
        return new SeeOtherResult($"{ReportsPath}/{Uri.EscapeDataString(report.Id)}");
    }

    /// <summary>The report as a PDF to save: the page's "Download PDF" link (a link cannot send <c>Accept: application/pdf</c>).</summary>
    internal static async Task<Results<FileContentHttpResult, NotFound>> ReportPdfAsync(string reportId, ReportBuilder reports, CancellationToken cancellationToken) =>
        await reports.GetAsync(reportId, cancellationToken) is { } report
            ? TypedResults.File(ReportPdf.Write(report), "application/pdf", $"{report.Id}.pdf")
            : TypedResults.NotFound();

    internal static async Task<Results<RazorComponentResult<ReportPage>, NotFound>> ReportAsync(string reportId, ReportBuilder reports, CancellationToken cancellationToken) =>
        await reports.GetAsync(reportId, cancellationToken) is { } report ? Report(report) : TypedResults.NotFound();

    internal static string Percent(double? share) => share is { } s ? s.ToString("0%", CultureInfo.InvariantCulture) : "–";

    internal static string When(DateTimeOffset at) => ActivityRules.Format(at);

    // The key's name (OperatorKeys:0), never the key: the log says which operator acted.
    [LoggerMessage(Level = LogLevel.Information, Message = "{KeyName} ran the activity audit from the oversight page: {Opened} flags opened, {Resolved} resolved")]
    private static partial void LogAuditRun(ILogger logger, string? keyName, int opened, int resolved);

    [LoggerMessage(Level = LogLevel.Information, Message = "{KeyName} built oversight report {ReportId} from the oversight page")]
    private static partial void LogReportBuilt(ILogger logger, string? keyName, string reportId);
}

/// <summary>
/// 303 See Other: after a form's POST the browser GETs the result, so a reload does not post again.
/// (<c>TypedResults.Redirect</c> answers 302 or 307/308, none of which says "now GET this".)
/// </summary>
internal sealed class SeeOtherResult(string location) : IResult, IStatusCodeHttpResult
{
    public string Location { get; } = location;

    public int StatusCode { get; } = StatusCodes.Status303SeeOther;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}

/// <summary>/oversight: every registered distributor with its state, evidence and open flags, and the reports.</summary>
public sealed class HomePage : PageComponent
{
    [Parameter, EditorRequired]
    public IReadOnlyList<DistributorOversightView> Distributors { get; set; } = [];

    [Parameter, EditorRequired]
    public IReadOnlyList<ReportSummary> Reports { get; set; } = [];

    /// <summary>True for an operator: the page then offers the operator's actions.</summary>
    [Parameter]
    public bool CanAct { get; set; }

    /// <summary>The last <see cref="OversightPages.ReportPeriod"/> hour by hour, for the charts.</summary>
    [Parameter]
    public ReportTimeline? Timeline { get; set; }

    protected override string Title => "Pengawasan distributor e-Meterai / Distributor oversight";

    protected override Html Content()
    {
        var active = Distributors.Count(d => d.State == DistributorStates.Active);
        var rows = Distributors.Select(d => Html.Of($"""
            <tr><td>{d.Id}</td><td>{d.Name}</td><td>{State(d.State)}</td>
            <td>{(d.Healthy switch { true => "yes", false => "no", null => "–" })}</td>
            <td class="num">{(d.Stock?.ToString(CultureInfo.InvariantCulture) ?? "–")}</td>
            <td class="num">{d.ConcurrencyLimit}</td>
            <td class="num">{OversightPages.Percent(d.Availability)}</td>
            <td class="num">{d.Issued}</td><td class="num">{d.Undelivered}</td>
            <td>{Html.Join(d.Flags.Select(f => Html.Of($"<p><strong>{f.Reason}</strong>: {f.Evidence.Summary}</p>")))}</td></tr>
            """));
        var reports = Reports.Count == 0
            ? Html.Of($"<p class=\"muted\">No report has been built yet. A daily one is built automatically; operators can build one now with the button above or POST /api/oversight/reports.</p>")
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
            <thead><tr><th>Id</th><th>Name</th><th>State</th><th>Healthy</th><th class="num">Stock</th><th class="num" title="Orders in flight the gateway allows now: learned, never above maxConcurrency">Concurrency limit</th><th class="num">Availability</th><th class="num">Issued</th><th class="num">Undelivered</th><th>Open flags and evidence</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody></table></div>
            {Charts()}
            <h2>Oversight reports</h2>
            {reports}
            {(CanAct ? OperatorActions() : Html.Empty)}
            """);
    }

    private Html Charts() => Timeline is not { } timeline ? Html.Empty : Html.Of($"""
        <h2>Last 24 hours</h2>
        {ReportCharts.Fleet(timeline)}
        {ReportCharts.Distributors(timeline)}
        """);

    private Html OperatorActions() => Html.Of($"""
        <section id="operator-actions" class="no-print">
        <h2>Tindakan operator / Operator actions</h2>
        <form class="stack" method="post" action="{OversightPages.AuditPath}">
        {AntiforgeryField()}
        <button type="submit">Jalankan audit aktivitas sekarang / Run the activity audit now</button>
        </form>
        <form class="stack" method="post" action="{OversightPages.ReportsPath}">
        {AntiforgeryField()}
        <button type="submit">Buat laporan 24 jam terakhir / Build a report for the last 24 hours</button>
        </form>
        </section>
        """);

    private static Html State(string state) => state == DistributorStates.Active
        ? Html.Of($"active")
        : Html.Of($"<strong>inactive</strong>");
}
