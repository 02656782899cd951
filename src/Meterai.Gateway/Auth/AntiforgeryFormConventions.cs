using Microsoft.AspNetCore.Antiforgery;

namespace Meterai.Gateway.Auth;

public static class AntiforgeryFormConventions
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
                    type: Purchases.PurchaseAnswers.ProblemBase + "antiforgery"));
        return builder;
    }
}
