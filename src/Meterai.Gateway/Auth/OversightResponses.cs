using Meterai.Gateway.Kernel;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Auth;

/// <summary>
/// The 401 and 403 answers of oversight endpoints: problem+json for programs (<c>/api/...</c> or a
/// request with <c>X-Api-Key</c>), and for a person's browser the sign-in form or a plain refusal page.
/// </summary>
internal static class OversightResponses
{
    private const string ProblemBase = Kernel.ProblemTypes.Base;

    /// <summary>Browser pages live outside /api; everything under /api answers problem+json.</summary>
    public static bool IsPage(HttpContext context) => !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    public static Task ChallengeAsync(HttpContext context)
    {
        if (!IsPage(context))
        {
            return UnauthorizedProblemAsync(context, "Send a regulator or operator key in the X-Api-Key header.");
        }

        // 401 with the form itself rather than a redirect: the address stays the page the person asked for,
        // and after signing in they are sent back there.
        var request = context.Request;
        var returnUrl = HttpMethods.IsGet(request.Method) ? request.PathBase + request.Path + request.QueryString : OversightPaths.Home;
        return SignInEndpoints.FormPage(StatusCodes.Status401Unauthorized, returnUrl, message: null).ExecuteAsync(context);
    }

    public static Task ForbiddenAsync(HttpContext context) =>
        IsPage(context)
            ? new RazorComponentResult<ForbiddenPage> { StatusCode = StatusCodes.Status403Forbidden }.ExecuteAsync(context)
            : ForbiddenProblemAsync(context);

    public static Task UnauthorizedProblemAsync(HttpContext context, string detail)
    {
        // RFC 9110 asks a 401 to name how to authenticate.
        context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{OversightAuthSchemes.ApiKeyHeader}\"";
        return TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Oversight key required",
            type: ProblemBase + "unauthorized").ExecuteAsync(context);
    }

    /// <summary>429 with <c>Retry-After</c> (whole seconds, rounded up) for a client that sent too many wrong keys.</summary>
    public static ProblemHttpResult TooManyFailures(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            detail: $"Too many wrong keys or sign-ins came from this address. Every key is refused for up to {seconds} s; wait, then try again with the right key.",
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many failed attempts",
            type: ProblemBase + "too-many-failures");
    }

    public static Task ForbiddenProblemAsync(HttpContext context) =>
        TypedResults.Problem(
            detail: "This key may read oversight data but not act: this endpoint needs an operator key.",
            statusCode: StatusCodes.Status403Forbidden,
            title: "Operator key required",
            type: ProblemBase + "forbidden").ExecuteAsync(context);
}
