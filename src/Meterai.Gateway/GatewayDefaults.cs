using System.Text.Json.Serialization.Metadata;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Proxies;
using Meterai.Gateway.Resilience;
using Meterai.Gateway.Server;
using Meterai.Gateway.Settings;

namespace Meterai.Gateway;

internal static class GatewayDefaults
{
    /// <summary>Clock, randomness, JSON, problem details and Kestrel's limits, shared by every feature.</summary>
    public static WebApplicationBuilder AddGatewayDefaults(this WebApplicationBuilder builder)
    {
        // Injected so tests drive time and chance; production uses the system's.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Random.Shared);

        // The Polly pipeline registry, which reports into the metrics.
        builder.Services.AddGatewayResilience();

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, JsonTypeInfoResolver.Combine(KernelJsonContext.Default, DistributorJsonContext.Default, OversightJsonContext.Default)));
        // A request the framework itself cannot read (a parameter that does not bind, such as
        // ?open=maybe; a body shorter than its Content-Length) is the client's fault: its own 4xx,
        // never a 500, with the framework's sentence, which names the parameter, as the detail.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.Exception is Microsoft.AspNetCore.Http.BadHttpRequestException bad)
            {
                context.ProblemDetails.Detail = bad.Message;
            }
        });
        builder.Services.Configure<ExceptionHandlerOptions>(o =>
        {
            o.StatusCodeSelector = exception =>
                exception is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            o.SuppressDiagnosticsCallback = context => context.Exception is Microsoft.AspNetCore.Http.BadHttpRequestException;
        });
        builder.AddTrustedProxies();
        builder.Services.AddServerLimits();
        return builder;
    }

    /// <summary>
    /// Every request is counted; every error is problem+json, and none carries a stack trace, in any environment; every answer
    /// says <c>X-Content-Type-Options: nosniff</c>; forwarded headers from trusted proxies only.
    /// </summary>
    public static WebApplication UseGatewayDefaults(this WebApplication app)
    {
        app.UseHalfClosedClients();
        app.UseGatewayHttpMetrics();

        // As its own process, the gateway checks options here, before the host starts, so a bad value
        // stops start-up with Program's one line instead of the host's logged stack trace. Hosted by
        // a test factory, the host's own check reports it as an exception.
        if (ConfigurationFault.IsOwnProcess)
        {
            app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }

        app.UseTrustedProxies();

        // Set as the answer starts, so it survives handlers that clear the response (the purchase route does).
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
