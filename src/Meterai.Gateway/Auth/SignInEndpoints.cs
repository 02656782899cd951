using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Auth;

/// <summary>The browser sign-in flow: a form that exchanges a key for an HttpOnly, SameSite=Strict session cookie.</summary>
public static partial class SignInEndpoints
{
    /// <summary>
    /// GET and POST <c>/oversight/sign-in</c>, POST <c>/oversight/sign-out</c>, and the example
    /// authenticated page GET <c>/oversight/session</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Oversight sign-in").ExcludeFromDescription();
        group.MapGet(OversightPaths.SignIn, (string? returnUrl) => FormPage(StatusCodes.Status200OK, returnUrl, message: null));
        group.MapPost(OversightPaths.SignIn, SignInAsync).WithMetadata(new RequireAntiforgeryTokenAttribute());
        group.MapPost(OversightPaths.SignOut, (Delegate)SignOutAsync)
            .RequireAuthorization(OversightPolicies.Read)
            .RequireAntiforgeryForm();

        // The pattern every oversight page follows: a policy on the endpoint, a component that uses <Page>.
        group.MapGet(OversightPaths.Session, () => new RazorComponentResult<SessionPage>())
            .RequireAuthorization(OversightPolicies.Read);
        return app;
    }

    internal static RazorComponentResult<SignInPage> FormPage(int statusCode, string? returnUrl, string? message) =>
        new(new Dictionary<string, object?>
        {
            [nameof(SignInPage.ReturnUrl)] = SafeReturnUrl(returnUrl),
            [nameof(SignInPage.Message)] = message,
        })
        { StatusCode = statusCode };

    /// <summary>A local path under /oversight, or /oversight: never another site (open redirect) or a header injection.</summary>
    internal static string SafeReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl)
            || returnUrl[0] != '/'
            || returnUrl.StartsWith("//", StringComparison.Ordinal)
            || returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            || returnUrl.Any(c => char.IsControl(c) || c == '\\'))
        {
            return OversightPaths.Home;
        }

        var path = new PathString(returnUrl.Split('?', '#')[0]);
        return path.StartsWithSegments(OversightPaths.Home, StringComparison.OrdinalIgnoreCase)
            && !path.StartsWithSegments(OversightPaths.SignIn, StringComparison.OrdinalIgnoreCase)
            && !path.StartsWithSegments(OversightPaths.SignOut, StringComparison.OrdinalIgnoreCase)
                ? returnUrl
                : OversightPaths.Home;
    }

    private static async Task<Results<RedirectHttpResult, RazorComponentResult<SignInPage>>> SignInAsync(
        HttpContext context, ApiKeyStore keys, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(SignInEndpoints));

        // Checked before the form is read, so a stale form (a restart, an expired token) gets a fresh one, not a bare 400.
        if (context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
        {
            LogStaleForm(logger);
            return FormPage(StatusCodes.Status400BadRequest, context.Request.Query["returnUrl"], "Formulir kedaluwarsa. Silakan coba lagi. / The form expired. Please try again.");
        }

        // returnUrl travels in the form's action (query), so even a stale form keeps it.
        string? returnUrl = context.Request.Query["returnUrl"];
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string? apiKey = form["apiKey"];
        var identity = string.IsNullOrEmpty(apiKey) ? null : keys.Find(apiKey);
        if (identity is null)
        {
            LogRefused(logger, context.Connection.RemoteIpAddress);
            return FormPage(StatusCodes.Status401Unauthorized, returnUrl, "Kunci tidak dikenal. / That key is not a regulator or operator key.");
        }

        await context.SignInAsync(
            OversightAuthSchemes.Cookie,
            OversightPrincipal.Create(identity, OversightAuthSchemes.Cookie),
            new AuthenticationProperties { IsPersistent = false });
        LogSignedIn(logger, identity.KeyName, identity.Role);
        return TypedResults.Redirect(SafeReturnUrl(returnUrl));
    }

    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(OversightAuthSchemes.Cookie);
        return TypedResults.Redirect(OversightPaths.SignIn);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight sign-in with {KeyName} as {Role}")]
    private static partial void LogSignedIn(ILogger logger, string keyName, string role);

    // The address, not the key: repeated refusals from one address are what an operator looks for.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Oversight sign-in from {RemoteAddress} refused: the key is not a configured regulator or operator key")]
    private static partial void LogRefused(ILogger logger, System.Net.IPAddress? remoteAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight sign-in form had a missing or invalid antiforgery token; a fresh form was sent")]
    private static partial void LogStaleForm(ILogger logger);
}
