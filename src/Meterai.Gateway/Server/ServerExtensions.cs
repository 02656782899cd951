using Meterai.Gateway.Settings;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Server;

internal static class ServerExtensions
{
    /// <summary>
    /// Kestrel's limits from <see cref="ServerLimitsOptions"/>, checked at start like every option,
    /// and an answer for clients that half-close (<see cref="HalfClosedClients"/>).
    /// </summary>
    public static IServiceCollection AddServerLimits(this IServiceCollection services)
    {
        services.AddRangedOptions<ServerLimitsOptions>(ServerLimitsOptions.Section);
        services.AddSingleton<HalfClosedClients>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerLimitsOptions>, HalfClosedClients>((kestrel, options, halfClosed) =>
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection => halfClosed.OnConnectionAsync(connection, next)));
            var limits = options.Value;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConcurrentConnections;
        });
        return services;
    }

    /// <summary>Marks the requests being served on each connection; outermost, so a request is served until its answer is written.</summary>
    public static IApplicationBuilder UseHalfClosedClients(this IApplicationBuilder app)
    {
        var halfClosed = app.ApplicationServices.GetRequiredService<HalfClosedClients>();
        return app.Use(next => context => halfClosed.OnRequestAsync(context, next));
    }
}
