using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Proxies;

/// <summary>
/// Behind a TLS-terminating proxy the gateway sees plain http from the proxy. From the configured
/// proxies only, the forwarded scheme and client address are taken as the request's own, so the
/// sign-in cookie is <c>Secure</c> and logs show the applicant's address, not the proxy's.
/// </summary>
internal static class TrustedProxiesExtensions
{
    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrustedProxiesOptions>()
            .BindConfiguration(TrustedProxiesOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrustedProxiesOptions>, TrustedProxiesValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<TrustedProxiesOptions>>((forwarded, trusted) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;

                // ASP.NET Core trusts loopback by default; only what is configured is trusted here.
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var address in trusted.Value.Addresses)
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(address));
                }

                foreach (var network in trusted.Value.Networks)
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            });
        return builder;
    }

    /// <summary>First in the pipeline, and only with proxies configured: with none, ASP.NET Core would believe anyone.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TrustedProxiesOptions>>().Value.Any)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    private sealed class TrustedProxiesValidator : IValidateOptions<TrustedProxiesOptions>
    {
        public ValidateOptionsResult Validate(string? name, TrustedProxiesOptions options)
        {
            var failures = new List<string>();
            for (var i = 0; i < options.Addresses.Length; i++)
            {
                if (!IPAddress.TryParse(options.Addresses[i], out _))
                {
                    failures.Add($"{TrustedProxiesOptions.Section}:{nameof(options.Addresses)}:{i} must be an IP address such as 10.0.0.5 (it is '{options.Addresses[i]}').");
                }
            }

            for (var i = 0; i < options.Networks.Length; i++)
            {
                if (!System.Net.IPNetwork.TryParse(options.Networks[i], out _))
                {
                    failures.Add($"{TrustedProxiesOptions.Section}:{nameof(options.Networks)}:{i} must be a network in CIDR form such as 10.0.0.0/8 (it is '{options.Networks[i]}').");
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
