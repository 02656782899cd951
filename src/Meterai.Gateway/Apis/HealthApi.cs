using Meterai.Gateway.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Meterai.Gateway.Apis;

internal static class HealthApi
{
    /// <summary>/healthz: the process answers. /readyz: the ledger is reachable and the registry loaded.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthExtensions.ReadyTag) });
        return app;
    }
}
