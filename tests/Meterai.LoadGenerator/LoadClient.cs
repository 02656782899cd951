using System.Net;

namespace Meterai.LoadGenerator;

/// <summary>The one HTTP client every mode sends with: no redirects, cookies, proxy or decompression, and no client-wide timeout (each mode sets its own deadline per request).</summary>
internal static class LoadClient
{
    public static HttpClient Create(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
