using Meterai.Gateway.Kernel;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Pages;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Server;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Meterai.Gateway.Apis;

internal static class OversightApi
{
    /// <summary>The regulator and operator API (docs/api/gateway-api.md: Regulators and operators).</summary>
    public static IEndpointRouteBuilder MapOversightApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/oversight").WithTags("Oversight").RequireAntiforgeryWithCookie()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("/distributors", GetDistributorsAsync).RequireAuthorization(OversightPolicies.Read);
        api.MapGet("/flags", GetFlagsAsync).RequireAuthorization(OversightPolicies.Read);
        api.MapPost("/audit", RunAuditAsync).RequireAuthorization(OversightPolicies.Act);
        api.MapPost("/reports", BuildReportAsync).RequireAuthorization(OversightPolicies.Act)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/reports", ListReportsAsync).RequireAuthorization(OversightPolicies.Read);
        api.MapGet("/reports/{reportId}", GetReportAsync).RequireAuthorization(OversightPolicies.Read)
            .Produces<OversightReport>(StatusCodes.Status200OK, "application/json", "text/csv", "text/html", "application/pdf")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status406NotAcceptable);
        return app;
    }

    internal static async Task<Ok<IReadOnlyList<DistributorOversightView>>> GetDistributorsAsync(OversightQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetDistributorsAsync(cancellationToken));

    internal static async Task<Ok<IReadOnlyList<FlagView>>> GetFlagsAsync(bool? open, OversightQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetFlagsAsync(open, cancellationToken));

    internal static async Task<Ok<AuditResult>> RunAuditAsync(ActivityAuditor auditor, CancellationToken cancellationToken) =>
        TypedResults.Ok(await auditor.RunAsync(cancellationToken));

    internal static async Task<Results<Created<OversightReport>, ValidationProblem, ProblemHttpResult>> BuildReportAsync(
        HttpRequest request, ReportBuilder reports, TimeProvider time, CancellationToken cancellationToken)
    {
        var (from, to, errors) = await ReportPeriodRequest.ReadAsync(request, time.GetUtcNow(), cancellationToken);
        if (errors is not null && JsonRequestBody.StatusOf(errors) is var status and not StatusCodes.Status400BadRequest)
        {
            return status == StatusCodes.Status413PayloadTooLarge ? JsonRequestBody.TooLarge(errors) : JsonRequestBody.UnsupportedMediaType(errors);
        }

        if (errors is not null)
        {
            return TypedResults.ValidationProblem(
                errors,
                detail: "The report period is invalid: " + string.Join(" ", errors.Values.SelectMany(v => v)),
                title: "Invalid report period",
                type: PurchaseAnswers.ProblemBase + "invalid-report-period");
        }

        var report = await reports.BuildAsync(from, to, cancellationToken);
        return TypedResults.Created($"/api/oversight/reports/{report.Id}", report);
    }

    internal static async Task<Ok<IReadOnlyList<ReportSummary>>> ListReportsAsync(ReportBuilder reports, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reports.ListAsync(cancellationToken));

    /// <summary>One report, as JSON, CSV (one row a distributor), printable HTML or a PDF document, by <c>Accept</c>.</summary>
    internal static async Task<IResult> GetReportAsync(string reportId, HttpRequest request, ReportBuilder reports, CancellationToken cancellationToken)
    {
        var report = await reports.GetAsync(reportId, cancellationToken);
        if (report is null)
        {
            return TypedResults.Problem(
                detail: $"No oversight report has the id '{reportId}'.",
                statusCode: StatusCodes.Status404NotFound,
                title: "Report not found",
                type: PurchaseAnswers.ProblemBase + "report-not-found");
        }

        return Negotiate(request) switch
        {
            "text/csv" => TypedResults.Text(ReportCsv.Write(report), "text/csv; charset=utf-8", System.Text.Encoding.UTF8),
            "text/html" => OversightPages.Report(report, reports.Clock),
            "application/json" => TypedResults.Ok(report),
            "application/pdf" => TypedResults.File(ReportPdf.Write(report, reports.Clock), "application/pdf", $"{report.Id}.pdf"),
            _ => TypedResults.Problem(
                detail: "The Accept header asks for none of the formats this report is served as: application/json, text/csv, text/html or application/pdf.",
                statusCode: StatusCodes.Status406NotAcceptable,
                title: "Not acceptable",
                type: PurchaseAnswers.ProblemBase + "not-acceptable"),
        };
    }

    /// <summary>The most preferred of the four formats the client accepts; JSON when it states no preference.</summary>
    private static string? Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return "application/json";
        }

        string[] offered = ["application/json", "text/csv", "text/html", "application/pdf"];
        foreach (var range in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (range.Quality == 0)
            {
                continue;
            }

            var match = offered.FirstOrDefault(o => new MediaTypeHeaderValue(o).IsSubsetOf(range));
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }
}
