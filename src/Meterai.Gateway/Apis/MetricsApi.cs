using Meterai.Gateway.Observability;
using Prometheus;

namespace Meterai.Gateway.Apis;

internal static class MetricsApi
{
    /// <summary>
    /// GET /metrics: Prometheus text exposition 0.0.4 (docs/api/gateway-api.md, SREs), rendered by prometheus-net
    /// from the host's registry. OpenMetrics is not negotiated: every scraper gets the format the
    /// spec names and promtool checks. GET and HEAD only; the scrape is not counted in the request families.
    /// </summary>
    /// <remarks>
    /// No authentication on purpose: Prometheus scrapes it over the private network, and scrapers
    /// rarely carry keys. It tells nothing about an applicant (labels are distributor ids, outcomes
    /// and routes), but it does show traffic and the fleet's state, so production must keep it
    /// off the public listener or firewall it to the scrapers.
    /// </remarks>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var registry = app.ServiceProvider.GetRequiredService<CollectorRegistry>();
        app.MapMetrics(settings =>
            {
                settings.Registry = registry;
                settings.EnableOpenMetrics = false;
            })
            .WithTags("Metrics")
            .WithMetadata(HttpRequestMetrics.NotCounted.Instance, new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .ExcludeFromDescription();
        return app;
    }
}
