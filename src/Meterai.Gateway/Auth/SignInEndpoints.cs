using Meterai.Gateway.Kernel;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

/// <summary>The browser sign-in flow: a form that exchanges a key for an HttpOnly, SameSite=Strict session cookie.</summary>
internal static partial class SignInEndpoints
{
    private const string ReturnUrlParameter = "returnUrl";
    private const string BadReturnUrl = "Alamat tujuan tidak sah. / The return address is not valid; sign in from the oversight pages.";

    /// <summary>
    /// GET and POST <c>/oversight/sign-in</c>, POST <c>/oversight/sign-out</c>, and the example
    /// authenticated page GET <c>/oversight/session</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Oversight sign-in").ExcludeFromDescription();
        group.MapGet(OversightPaths.SignIn, (HttpContext context) => TryReturnUrl(context, out var location)
            ? FormPage(StatusCodes.Status200OK, location, message: null)
            : FormPage(StatusCodes.Status400BadRequest, null, BadReturnUrl));

        // A key, a token and nothing else: small limits, so an oversized form is a 400 before it is buffered.
        group.MapPost(OversightPaths.SignIn, SignInAsync)
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .WithFormOptions(bufferBody: false, valueCountLimit: 8, keyLengthLimit: 64, valueLengthLimit: 4096, multipartBodyLengthLimit: 16 * 1024);
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

    /// <summary>A local path under /oversight, percent-encoded, or /oversight: never another site (open redirect) or a header injection.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        ReturnUrl.TryResolve(returnUrl, out var location) ? location : OversightPaths.Home;

    private static bool TryReturnUrl(HttpContext context, out string location)
    {
        var values = context.Request.Query[ReturnUrlParameter];
        location = OversightPaths.Home;
        return values.Count <= 1 && ReturnUrl.TryResolve(values, out location);
    }

    private static async Task<Results<RedirectHttpResult, RazorComponentResult<SignInPage>, ProblemHttpResult>> SignInAsync(
        HttpContext context, ApiKeyStore keys, AuthFailureThrottle throttle, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(SignInEndpoints));
        if (throttle.Refusal(context) is { } retryAfter)
        {
            return OversightResponses.TooManyFailures(context, retryAfter);
        }

        // returnUrl travels in the form's action (query), so even a stale form keeps it.
        if (!TryReturnUrl(context, out var location))
        {
            return FormPage(StatusCodes.Status400BadRequest, null, BadReturnUrl);
        }

        // Checked before the form is read, so a stale form (a restart, an expired token) gets a fresh one, not a bare 400.
        if (context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
        {
            LogStaleForm(logger);
            return FormPage(StatusCodes.Status400BadRequest, location, "Formulir kedaluwarsa. Silakan coba lagi. / The form expired. Please try again.");
        }

        // A token in the header lets a body of any type this far: only the form is read.
        var form = context.Request.HasFormContentType ? await TryReadFormAsync(context) : null;
        if (form is null || form["apiKey"].Count > 1)
        {
            return FormPage(StatusCodes.Status400BadRequest, location, "Kirim formulir ini. / Send this form, with one key.");
        }

        string? apiKey = form["apiKey"];
        var identity = string.IsNullOrEmpty(apiKey) ? null : keys.Find(apiKey);
        if (identity is null)
        {
            // Counted, not logged one by one: the throttle logs a count per address and window.
            throttle.RecordFailure(context);
            return FormPage(StatusCodes.Status401Unauthorized, location, "Kunci tidak dikenal. / That key is not a regulator or operator key.");
        }

        await EndPreviousSessionAsync(context);
        await context.SignInAsync(
            OversightAuthSchemes.Cookie,
            identity.ToPrincipal(OversightAuthSchemes.Cookie),
            new AuthenticationProperties { IsPersistent = false });
        LogSignedIn(logger, identity.KeyName, identity.Role);
        return TypedResults.Redirect(location);
    }

    /// <summary>The form, or null when it cannot be read: over the endpoint's limits, malformed, or cut short.</summary>
    private static async Task<IFormCollection?> TryReadFormAsync(HttpContext context)
    {
        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Ends the session this browser already had, and hides its cookie from the sign-in that follows:
    /// the cookie handler would otherwise keep the old session's id for the new sign-in, so whoever
    /// planted or copied that cookie beforehand would share the new session (session fixation).
    /// </summary>
    private static async Task EndPreviousSessionAsync(HttpContext context)
    {
        var cookie = context.RequestServices.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(OversightAuthSchemes.Cookie);
        var name = cookie.Cookie.Name!;
        if (cookie.CookieManager.GetRequestCookie(context, name) is not { } value)
        {
            return;
        }

        // The claim under which the cookie handler keeps the session store's key.
        if (cookie.TicketDataFormat.Unprotect(value)?.Principal.FindFirst("Microsoft.AspNetCore.Authentication.Cookies-SessionId")?.Value is { } session)
        {
            await cookie.SessionStore!.RemoveAsync(session, context, CancellationToken.None);
        }

        context.Request.Headers.Cookie = string.Join("; ", context.Request.Headers.Cookie
            .SelectMany(header => (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(pair => !IsCookieOrChunk(pair.Split('=', 2)[0], name)));
    }

    /// <summary>The cookie itself, or one of the chunks (<c>nameC1</c>, <c>nameC2</c>) a long cookie is split into.</summary>
    private static bool IsCookieOrChunk(string cookie, string name) =>
        cookie == name || (cookie.Length > name.Length + 1 && cookie.StartsWith(name + "C", StringComparison.Ordinal) && cookie[(name.Length + 1)..].All(char.IsAsciiDigit));

    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext context)
    {
        // Deletes the session from the ledger (LedgerTicketStore), so the old cookie fails on every gateway.
        await context.SignOutAsync(OversightAuthSchemes.Cookie);
        return TypedResults.Redirect(OversightPaths.SignIn);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight sign-in with {KeyName} as {Role}")]
    private static partial void LogSignedIn(ILogger logger, string keyName, string role);

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight sign-in form had a missing or invalid antiforgery token; a fresh form was sent")]
    private static partial void LogStaleForm(ILogger logger);
}
