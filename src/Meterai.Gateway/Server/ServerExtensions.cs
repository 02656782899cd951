using Meterai.Gateway.Settings;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Server;

public static class ServerExtensions
{
    /// <summary>Kestrel's limits from <see cref="ServerLimitsOptions"/>, checked at start like every option.</summary>
    public static IServiceCollection AddServerLimits(this IServiceCollection services)
    {
        services.AddRangedOptions<ServerLimitsOptions>(ServerLimitsOptions.Section);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerLimitsOptions>>((kestrel, options) =>
        {
            var limits = options.Value;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConcurrentConnections;
        });
        return services;
    }
}
