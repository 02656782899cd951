using Meterai.Gateway.Observability.Prometheus;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Apis;

public static class MetricsApi
{
    /// <summary>
    /// GET /metrics: Prometheus text exposition 0.0.4 (gateway spec, SREs).
    /// </summary>
    /// <remarks>
    /// No authentication on purpose: Prometheus scrapes it over the private network, and scrapers
    /// rarely carry keys. It tells nothing about an applicant (labels are distributor ids, outcomes
    /// and routes), but it does show traffic and the fleet's state, so production must keep it
    /// off the public listener or firewall it to the scrapers.
    /// </remarks>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", GetMetricsAsync).WithTags("Metrics").ExcludeFromDescription();
        return app;
    }

    internal static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> GetMetricsAsync(PrometheusScraper scraper, CancellationToken cancellationToken)
    {
        var scrape = await scraper.ScrapeAsync(cancellationToken);
        if (scrape is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Metrics unavailable",
                detail: "Collecting the metrics failed or timed out; the gateway's log says which. Scrape again.");
        }

        return TypedResults.Stream(scrape.WriteToAsync, PrometheusScraper.ContentType);
    }
}
