using Prometheus;

namespace Meterai.Gateway.Observability;

/// <summary>
/// <c>http_requests_received_total</c> (code, method, endpoint), <c>http_request_duration_seconds</c>
/// and <c>http_requests_in_progress</c> (method, endpoint): the families prometheus-net's
/// <c>UseHttpMetrics</c> exported, with labels from fixed vocabularies only (gateway spec, SREs).
/// prometheus-net labels a request with whatever method it names, so any client could add series.
/// </summary>
/// <remarks>
/// A method outside <see cref="KnownMethods"/> is <see cref="Other"/>; a request that matched no
/// route (unknown path, 405, a bad request Kestrel answered) is <see cref="Other"/> for endpoint; the
/// code is the gateway's own answer. So the series are bounded by routes × methods × codes.
/// </remarks>
internal sealed class HttpRequestMetrics
{
    /// <summary>The label value of a method outside <see cref="KnownMethods"/>, and of the endpoint of a request no route matched.</summary>
    public const string Other = "other";

    /// <summary>RFC 9110's methods and PATCH; methods are case-sensitive, so "get" is <see cref="Other"/>.</summary>
    internal static readonly string[] KnownMethods =
    [
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete,
        HttpMethods.Options, HttpMethods.Patch, HttpMethods.Trace, HttpMethods.Connect,
    ];

    private readonly RequestDelegate _next;
    private readonly Counter _received;
    private readonly Histogram _duration;
    private readonly Gauge _inProgress;

    public HttpRequestMetrics(RequestDelegate next, CollectorRegistry registry)
    {
        _next = next;
        var factory = Metrics.WithCustomRegistry(registry);
        _received = factory.CreateCounter("http_requests_received_total",
            "HTTP requests answered, by status code, method (other: not a standard method) and endpoint (route pattern; other: no route matched).",
            "code", "method", "endpoint");
        _duration = MetricsExtensions.HttpServerDuration(registry);
        _inProgress = factory.CreateGauge("http_requests_in_progress",
            "HTTP requests being processed, by method and endpoint (as in http_requests_received_total).",
            "method", "endpoint");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        // Routing ran before this (WebApplication routes first), so the endpoint is known here.
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<NotCounted>() is not null)
        {
            await _next(context);
            return;
        }

        var method = MethodLabel(context.Request.Method);
        var route = EndpointLabel(endpoint);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var inProgress = _inProgress.WithLabels(method, route);
        inProgress.Inc();
        try
        {
            await _next(context);
        }
        finally
        {
            inProgress.Dec();

            // The endpoint again: the exception handler or status-code pages may have re-executed elsewhere.
            route = EndpointLabel(context.GetEndpoint());
            _received.WithLabels(StatusLabel(context.Response.StatusCode), method, route).Inc();
            _duration.WithLabels(method, route).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>The method as a label: one of <see cref="KnownMethods"/>, or <see cref="Other"/>.</summary>
    internal static string MethodLabel(string method)
    {
        foreach (var known in KnownMethods)
        {
            if (string.Equals(method, known, StringComparison.Ordinal))
            {
                return known;
            }
        }

        return Other;
    }

    /// <summary>The route pattern of a matched route; <see cref="Other"/> for anything else.</summary>
    internal static string EndpointLabel(Endpoint? endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: { } pattern } ? pattern : Other;

    /// <summary>The gateway's own answer, never the client's words: Kestrel allows only 100 to 999.</summary>
    private static string StatusLabel(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Endpoint metadata: requests to it are not counted (the scrape itself).</summary>
    internal sealed class NotCounted
    {
        public static readonly NotCounted Instance = new();
    }
}
