namespace Meterai.Gateway.Proxies;

/// <summary>
/// Reverse proxies (a TLS-terminating load balancer) whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> the gateway believes. Bound from <c>TrustedProxies</c>.
/// </summary>
internal sealed class TrustedProxiesOptions
{
    public const string Section = "TrustedProxies";

    /// <summary>
    /// Proxy addresses, each an IP address such as <c>10.0.0.5</c>.
    /// Default: none, so forwarded headers are ignored and nobody can pretend a request was https.
    /// </summary>
    public string[] Addresses { get; set; } = [];

    /// <summary>Proxy networks, each in CIDR form such as <c>10.0.0.0/8</c>. Default: none.</summary>
    public string[] Networks { get; set; } = [];

    public bool Any => Addresses.Length + Networks.Length > 0;
}
