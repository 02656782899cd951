using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Server;

/// <summary>
/// Kestrel's limits that bound what one client can hold or send, explicit instead of Kestrel's
/// defaults (30 s for headers, 30 MB bodies, unlimited connections). Bound from <c>Server</c>.
/// </summary>
internal sealed class ServerLimitsOptions
{
    public const string Section = "Server";

    /// <summary>
    /// Longest a client may take to send a request's line and headers; a slower one is cut off with
    /// 408, so a slow sender cannot hold a connection. Default: 10 seconds.
    /// </summary>
    [Range(1d, 300d)]
    public double RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Largest request body any endpoint accepts (413 beyond it). The API's JSON bodies have their
    /// own, smaller limits (4096 bytes for a purchase or a report period). Default: 65536 bytes.
    /// </summary>
    [Range(4096, 104_857_600)]
    public long MaxRequestBodyBytes { get; set; } = 65_536;

    /// <summary>
    /// Connections open at once; further ones are refused until one closes. Above the load tests'
    /// 5000 and far below what a host's file descriptors allow. Default: 10000.
    /// </summary>
    [Range(1, 1_000_000)]
    public long MaxConcurrentConnections { get; set; } = 10_000;

    public TimeSpan RequestHeadersTimeout => TimeSpan.FromSeconds(RequestHeadersTimeoutSeconds);
}
