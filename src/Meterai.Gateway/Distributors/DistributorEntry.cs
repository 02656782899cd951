namespace Meterai.Gateway.Distributors;

/// <summary>One distributor as the registry declares it.</summary>
/// <remarks>
/// A class rather than a record on purpose: a record's generated ToString would print
/// <see cref="ApiKey"/> into any log line or exception message that formats the entry.
/// </remarks>
internal sealed class DistributorEntry
{
    public DistributorEntry(string id, string name, Uri baseUrl, string? apiKey, int maxConcurrency)
    {
        Id = id;
        Name = name;
        BaseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        OrdersUri = new Uri(BaseUrl, "orders");
        ApiKey = apiKey;
        Authorization = apiKey is null ? null : "Bearer " + apiKey;
        MaxConcurrency = maxConcurrency;
    }

    public string Id { get; }

    public string Name { get; }

    /// <summary>Always ends with '/', so relative paths such as "orders" keep any base path.</summary>
    public Uri BaseUrl { get; }

    /// <summary>POST target for purchases, computed once: it is needed on every attempt.</summary>
    public Uri OrdersUri { get; }

    /// <summary>The gateway's secret for this distributor. Sent only as a bearer token to it.</summary>
    public string? ApiKey { get; }

    /// <summary>The Authorization header's value for every request to it, computed once; null without a key.</summary>
    public string? Authorization { get; }

    public int MaxConcurrency { get; }

    public override string ToString() => $"{Id} ({Name}) at {BaseUrl}";
}
