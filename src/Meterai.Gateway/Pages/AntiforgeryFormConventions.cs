using Meterai.Gateway.Kernel;
using Microsoft.AspNetCore.Antiforgery;

namespace Meterai.Gateway.Pages;

internal static class AntiforgeryFormConventions
{
    /// <summary>
    /// For a POST that a page's form sends (put <c>&lt;AntiforgeryToken /&gt;</c> inside the form):
    /// the antiforgery middleware validates the token, and this answers 400 when it is missing or
    /// wrong. Needed because the middleware only records its verdict; minimal APIs enforce it
    /// themselves only for handlers that bind form fields.
    /// </summary>
    public static TBuilder RequireAntiforgeryForm<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequireAntiforgeryTokenAttribute());
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: true }
                ? await next(context)
                : TypedResults.Problem(
                    detail: "The form's antiforgery token is missing or invalid. Reload the page and submit the form again.",
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "Form expired",
                    type: Kernel.ProblemTypes.Base + "antiforgery"));
        return builder;
    }

    /// <summary>
    /// For the endpoints of an API that a signed-in browser may also call: a request that changes
    /// something (POST, PUT, PATCH, DELETE) and is authenticated by the sign-in cookie, not by
    /// <c>X-Api-Key</c>, must carry the antiforgery token (form field or the
    /// <see cref="OversightAuthSchemes.AntiforgeryHeader"/> header, from any oversight page), so another
    /// site cannot make an operator's browser act. Programs with a key are not affected: no site can
    /// make a browser send a header.
    /// </summary>
    public static TBuilder RequireAntiforgeryWithCookie<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method)
                || http.Request.Headers.ContainsKey(OversightAuthSchemes.ApiKeyHeader)
                || await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            {
                return await next(context);
            }

            return TypedResults.Problem(
                detail: $"A request signed in by the oversight cookie must carry the antiforgery token in the {OversightAuthSchemes.AntiforgeryHeader} header (from any oversight page), or use X-Api-Key instead.",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Antiforgery token required",
                type: Kernel.ProblemTypes.Base + "antiforgery",
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = new Dictionary<string, string[]> { [OversightAuthSchemes.AntiforgeryHeader] = ["The antiforgery token is missing or invalid."] },
                });
        });
        return builder;
    }
}
