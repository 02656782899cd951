using System.Text.Encodings.Web;
using Meterai.Gateway.Kernel;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

/// <summary>
/// Authenticates <c>X-Api-Key</c> against the configured regulator and operator keys. Its
/// challenge and forbid answers are problem+json, since a caller that sends a header is a program.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    AuthFailureThrottle throttle) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    /// <summary>Set when this client is throttled: the challenge then answers 429 instead of 401.</summary>
    private TimeSpan? _retryAfter;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(OversightAuthSchemes.ApiKeyHeader, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Before the key is looked at: a throttled client learns nothing, not even from a right key.
        _retryAfter = throttle.Refusal(Context);
        if (_retryAfter is not null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Too many wrong keys from this client address."));
        }

        // The base class logs these failure messages: they must never contain the key.
        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            throttle.RecordFailure(Context);
            return Task.FromResult(AuthenticateResult.Fail("X-Api-Key must carry exactly one key."));
        }

        var identity = keys.Find(values[0]!);
        if (identity is null)
        {
            throttle.RecordFailure(Context);
            return Task.FromResult(AuthenticateResult.Fail("The X-Api-Key is not a configured regulator or operator key."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(identity.ToPrincipal(Scheme.Name), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (_retryAfter is { } retryAfter)
        {
            await OversightResponses.TooManyFailures(Context, retryAfter).ExecuteAsync(Context);
            return;
        }

        await OversightResponses.UnauthorizedProblemAsync(
            Context,
            result.None
                ? "Send a regulator or operator key in the X-Api-Key header."
                : "The key in X-Api-Key is not a regulator or operator key of this gateway. Check it, or ask the gateway's operator for one.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        OversightResponses.ForbiddenProblemAsync(Context);
}
