using System.Globalization;
using System.Security.Claims;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// The regulator pages under /oversight: server-rendered, readable without JavaScript, printable.
/// Operators also act from them: two forms on /oversight run the activity audit and build a report.
/// Pages: /oversight (every distributor), /oversight/distributors/{id} (one, over 30 days), /oversight/rules.
/// </summary>
internal static partial class OversightPages
{
    public const string AuditPath = OversightPaths.Home + "/audit";

    public const string ReportsPath = OversightPaths.Home + "/reports";

    public const string RulesPath = OversightPaths.Home + "/rules";

    public const string DistributorsPath = OversightPaths.Home + "/distributors";

    /// <summary>Longer than any registry id: answered 404 without a look-up.</summary>
    private const int MaxIdLength = 200;

    /// <summary>The period of the report an operator builds from the page.</summary>
    public static readonly TimeSpan ReportPeriod = TimeSpan.FromHours(24);

    public static RazorComponentResult<ReportPage> Report(OversightReport report, ReaderClock clock) => new(new { Report = report, Clock = clock });

    public static IEndpointRouteBuilder MapOversightPages(this IEndpointRouteBuilder app)
    {
        app.MapGet(OversightPaths.Home, HomeAsync).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(RulesPath, Rules).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(DistributorsPath + "/{id}", DistributorAsync).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(ReportsPath + "/{reportId}", ReportAsync).RequireAuthorization(OversightPolicies.Read);
        app.MapGet(ReportsPath + "/{reportId}/pdf", ReportPdfAsync).RequireAuthorization(OversightPolicies.Read);

        // The operator's forms on /oversight. Act: a regulator gets 403, anonymous 401; the token: 400 without it.
        app.MapPost(AuditPath, RunAuditAsync).RequireAuthorization(OversightPolicies.Act).RequireAntiforgeryForm();
        app.MapPost(ReportsPath, BuildReportAsync).RequireAuthorization(OversightPolicies.Act).RequireAntiforgeryForm();
        return app;
    }

    internal static async Task<RazorComponentResult<HomePage>> HomeAsync(
        ClaimsPrincipal user, OversightQueries queries, ReportBuilder reports, IOptions<OversightOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var distributors = await queries.GetDistributorsAsync(cancellationToken);
        var list = await reports.ListAsync(cancellationToken);
        var timeline = await queries.GetTimelineAsync(ReportPeriod, cancellationToken);
        return new(new Dictionary<string, object?>
        {
            [nameof(HomePage.Distributors)] = distributors,
            [nameof(HomePage.Reports)] = list,
            [nameof(HomePage.CanAct)] = OversightPrincipal.RoleOf(user) == OversightRoles.Operator,
            [nameof(HomePage.Timeline)] = timeline,
            [nameof(HomePage.Clock)] = queries.Clock,
            [nameof(HomePage.Window)] = options.Value.AuditWindow,
            [nameof(HomePage.Now)] = time.GetUtcNow(),
        });
    }

    /// <summary>One distributor's page; 404 (a page, not an error) for an id the registry does not have.</summary>
    internal static async Task<Results<RazorComponentResult<DistributorPage>, RazorComponentResult<NotFoundPage>>> DistributorAsync(
        string id, OversightQueries queries, IOptions<OversightOptions> options, CancellationToken cancellationToken)
    {
        if (id.Length <= MaxIdLength && await queries.GetHistoryAsync(id, cancellationToken) is { } history)
        {
            return new RazorComponentResult<DistributorPage>(new Dictionary<string, object?>
            {
                [nameof(DistributorPage.History)] = history,
                [nameof(DistributorPage.Clock)] = queries.Clock,
                [nameof(DistributorPage.Window)] = options.Value.AuditWindow,
            });
        }

        return NotFoundPage.Result(
            "Distributor ini tidak terdaftar di gateway.", "No distributor with that id is registered with the gateway.",
            OversightPaths.Home, "Semua distributor / All distributors");
    }

    internal static RazorComponentResult<RulesPage> Rules(IOptions<OversightOptions> options) =>
        new(new Dictionary<string, object?> { [nameof(RulesPage.Rules)] = options.Value });

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
            ? TypedResults.File(ReportPdf.Write(report, reports.Clock), "application/pdf", $"{report.Id}.pdf")
            : TypedResults.NotFound();

    internal static async Task<Results<RazorComponentResult<ReportPage>, NotFound>> ReportAsync(string reportId, ReportBuilder reports, CancellationToken cancellationToken) =>
        await reports.GetAsync(reportId, cancellationToken) is { } report ? Report(report, reports.Clock) : TypedResults.NotFound();

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
