using Meterai.Gateway.Kernel;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Meterai.Gateway.Auth;

/// <summary>
/// The sign-in cookie's events: each request checks that the session's key is still configured
/// with the session's role (gateway spec: removing a key, or moving it to another role, ends its
/// sessions), and refusals answer with the form or problem+json instead of redirects.
/// </summary>
internal sealed partial class OversightCookieEvents(ApiKeyStore keys, ILogger<OversightCookieEvents> logger) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var signedInAs = principal?.FindFirst(OversightPrincipal.KeyIdClaim)?.Value is { } keyId ? keys.FindById(keyId) : null;
        var role = principal is null ? null : OversightPrincipal.RoleOf(principal);
        if (signedInAs is null || signedInAs.Role != role)
        {
            // Signing out deletes the session from the ledger and the cookie from the browser.
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(OversightAuthSchemes.Cookie);
            LogSessionEnded(logger, principal?.Identity?.Name ?? "(unnamed)", role ?? "(none)");
            return;
        }

        if (!string.Equals(signedInAs.KeyName, principal!.Identity?.Name, StringComparison.Ordinal))
        {
            // The same key at another index (an entry above it was removed): the session keeps going under its new name.
            context.ReplacePrincipal(signedInAs.ToPrincipal(OversightAuthSchemes.Cookie));
            context.ShouldRenew = true;
        }
    }

    // The sign-in endpoint alone decides where to go after signing in (ReturnUrl, checked); the
    // handler's own redirect would take the raw returnUrl from the query.
    public override Task RedirectToReturnUrl(RedirectContext<CookieAuthenticationOptions> context) => Task.CompletedTask;

    // No redirects: pages answer 401 with the form, APIs answer problem+json.
    public override Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context) => OversightResponses.ChallengeAsync(context.HttpContext);

    public override Task RedirectToAccessDenied(RedirectContext<CookieAuthenticationOptions> context) => OversightResponses.ForbiddenAsync(context.HttpContext);

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight session of {KeyName} as {Role} ended: its key is no longer configured with that role")]
    private static partial void LogSessionEnded(ILogger logger, string keyName, string role);
}
