using Meterai.Gateway.Kernel;
using Meterai.Gateway.Pages;
using Meterai.Gateway.Settings;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

internal static partial class AuthExtensions
{
    /// <summary>
    /// Regulator and operator access: <c>X-Api-Key</c> for programs, a sign-in cookie for browsers,
    /// and the policies <see cref="OversightPolicies.Read"/> and <see cref="OversightPolicies.Act"/>.
    /// No default scheme is set, so requests to endpoints without a policy (purchases, status)
    /// never pay for authentication.
    /// </summary>
    public static WebApplicationBuilder AddOversightAuth(this WebApplicationBuilder builder)
    {
        builder.AddGatewayPages();
        builder.Services.AddRangedOptions<AuthOptions>(AuthOptions.Section);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<AuthFailureThrottle>();
        builder.Services.AddSingleton<LedgerTicketStore>();
        builder.Services.AddSingleton<OversightCookieEvents>();
        builder.Services.AddHostedService<OversightKeysAnnouncer>();

        // The cookie and antiforgery tokens are encrypted with the data-protection key ring. Several
        // instances behind a load balancer must share one key ring and the same application name,
        // or a cookie issued by one instance is rejected by the next: by default the ring lives in
        // the ledger, which every gateway on it shares; Auth:DataProtectionKeysPath puts it in a
        // directory instead.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("meterai-gateway");
        var keysPath = builder.Configuration[$"{AuthOptions.Section}:{nameof(AuthOptions.DataProtectionKeysPath)}"];
        if (!string.IsNullOrWhiteSpace(keysPath))
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keysPath));
        }
        else
        {
            builder.Services.AddSingleton<LedgerXmlRepository>();
            builder.Services.AddOptions<KeyManagementOptions>()
                .Configure<LedgerXmlRepository>((options, repository) => options.XmlRepository = repository);
        }

        // Unset, the ring is stored as Data Protection writes it, unencrypted: whoever reads the ledger
        // (or the directory) can forge cookies. A certificate encrypts each key at rest.
        if (KeyRingCertificate.Load(builder.Configuration) is { } certificate)
        {
            dataProtection.ProtectKeysWithCertificate(certificate);
        }

        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(OversightAuthSchemes.ApiKey, "X-Api-Key", configureOptions: null)
            .AddCookie(OversightAuthSchemes.Cookie, cookie =>
            {
                cookie.Cookie.Name = "meterai-oversight";
                cookie.Cookie.HttpOnly = true;
                // Strict: the browser never sends the cookie on a request another site starts, which
                // is the first CSRF defence; forms also carry antiforgery tokens.
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                // Secure when the request is https. Behind a TLS-terminating proxy, the forwarded-headers
                // middleware must run first so the request is seen as https.
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.IsEssential = true;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = OversightPaths.SignIn;
                cookie.LogoutPath = OversightPaths.SignOut;
                cookie.ReturnUrlParameter = "returnUrl";
                cookie.EventsType = typeof(OversightCookieEvents);
            })
            .AddPolicyScheme(OversightAuthSchemes.ApiKeyOrCookie, "X-Api-Key or sign-in cookie", policy =>
                policy.ForwardDefaultSelector = context => context.Request.Headers.ContainsKey(OversightAuthSchemes.ApiKeyHeader)
                    ? OversightAuthSchemes.ApiKey
                    : OversightAuthSchemes.Cookie);
        // The session itself lives in the ledger, shared by every gateway on it; the cookie carries its id.
        builder.Services.AddOptions<CookieAuthenticationOptions>(OversightAuthSchemes.Cookie)
            .Configure<IOptions<AuthOptions>, LedgerTicketStore>((cookie, auth, sessions) =>
            {
                cookie.ExpireTimeSpan = auth.Value.Session;
                cookie.SessionStore = sessions;
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OversightPolicies.Read, policy => policy
                .AddAuthenticationSchemes(OversightAuthSchemes.ApiKeyOrCookie)
                .RequireRole(OversightRoles.Regulator, OversightRoles.Operator))
            .AddPolicy(OversightPolicies.Act, policy => policy
                .AddAuthenticationSchemes(OversightAuthSchemes.ApiKeyOrCookie)
                .RequireRole(OversightRoles.Operator));
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "meterai-antiforgery";
            antiforgery.HeaderName = OversightAuthSchemes.AntiforgeryHeader;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return builder;
    }

    /// <summary>Authentication, authorization and antiforgery, in that order; after routing, before the endpoints.</summary>
    public static WebApplication UseOversightAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }
}

/// <summary>Says at start how many keys there are, so "everything answers 401" has an explanation in the log.</summary>
internal sealed partial class OversightKeysAnnouncer(ApiKeyStore keys, ILogger<OversightKeysAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.RegulatorKeyCount + keys.OperatorKeyCount == 0)
        {
            LogNoKeys(logger);
        }
        else
        {
            LogKeys(logger, keys.RegulatorKeyCount, keys.OperatorKeyCount);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Auth:RegulatorKeys or Auth:OperatorKeys are configured: the oversight endpoints refuse everyone")]
    private static partial void LogNoKeys(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight access: {RegulatorKeys} regulator keys, {OperatorKeys} operator keys")]
    private static partial void LogKeys(ILogger logger, int regulatorKeys, int operatorKeys);
}
