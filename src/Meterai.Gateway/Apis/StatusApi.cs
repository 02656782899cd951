using Meterai.Gateway.Status;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Apis;

internal static class StatusApi
{
    /// <summary>GET /api/status and GET /status: public, no key (docs/api/gateway-api.md).</summary>
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/status", GetStatus).WithTags("Status");
        app.MapGet("/status", GetStatusPage).WithTags("Status").ExcludeFromDescription();
        return app;
    }

    internal static Ok<StatusView> GetStatus(PublicStatus status) => TypedResults.Ok(status.Current());

    internal static RazorComponentResult<StatusPage> GetStatusPage(PublicStatus status, TimeProvider time) =>
        new(new Dictionary<string, object?>
        {
            [nameof(StatusPage.Status)] = status.Current(),
            [nameof(StatusPage.Now)] = time.GetUtcNow(),
        });
}
