using Meterai.Gateway.Admission;
using Meterai.Gateway.Pages;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Meterai.Gateway.Status;

internal static class StatusExtensions
{
    /// <summary>The public status (GET /api/status, GET /status): needs the fleet and routing registered too.</summary>
    public static WebApplicationBuilder AddPublicStatus(this WebApplicationBuilder builder)
    {
        builder.AddGatewayPages();
        builder.Services.TryAddSingleton<IWaitEstimate, NoWaitEstimate>();
        builder.Services.AddSingleton<PublicStatus>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, StatusJsonContext.Default));
        return builder;
    }
}
