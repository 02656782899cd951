using System.Globalization;
using System.Text;
using System.Text.Json;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Server;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Purchases;

/// <summary>The applicant-facing answers of POST /api/purchases (docs/api/gateway-api.md).</summary>
internal static class PurchaseAnswers
{
    public const string ProblemBase = ProblemTypes.Base;

    /// <summary>400 naming every faulty field; 415 when the body is not JSON at all, 413 when it is over its limit (<see cref="JsonRequestBody.StatusOf"/>).</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors) => JsonRequestBody.StatusOf(errors) switch
    {
        StatusCodes.Status415UnsupportedMediaType => JsonRequestBody.UnsupportedMediaType(errors),
        StatusCodes.Status413PayloadTooLarge => JsonRequestBody.TooLarge(errors),
        _ => TypedResults.ValidationProblem(
                errors,
                detail: "The purchase request is invalid: " + string.Join(" ", errors.Values.SelectMany(v => v)),
                title: "Invalid purchase request",
                type: ProblemBase + "invalid-request"),
    };

    public static ProblemHttpResult InProgress() =>
        TypedResults.Problem(
            detail: "A purchase with this Idempotency-Key is still being processed. Retry with the same key in a moment to get its answer.",
            statusCode: StatusCodes.Status409Conflict,
            title: "Purchase in progress",
            type: ProblemBase + "purchase-in-progress");

    public static ProblemHttpResult KeyReused() =>
        TypedResults.Problem(
            detail: "This Idempotency-Key was already used for a purchase with a different body. Use a new key for a new purchase.",
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Idempotency-Key reused",
            type: ProblemBase + "idempotency-key-reused",
            extensions: new Dictionary<string, object?> { ["field"] = PurchaseRequest.IdempotencyKeyHeader });

    public static IResult Unavailable(HttpContext context, int retryAfterSeconds, string reason)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            detail: $"{reason} Nothing was charged. Try again in {retryAfterSeconds} seconds with the same Idempotency-Key.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "No distributor can sell now",
            type: ProblemBase + "unavailable");
    }

    /// <summary>
    /// A full fleet: when this key's turn is expected (spec: "Order of service in a rush"). The place
    /// and the estimate are in the body; Retry-After is the estimate in whole seconds, rounded down.
    /// </summary>
    public static IResult InLine(HttpContext context, int retryAfterSeconds, int position, TimeSpan estimatedWait)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var seconds = Math.Round(estimatedWait.TotalSeconds, 1);
        return TypedResults.Problem(
            detail: $"Every distributor is selling at full capacity. You are number {position} in line, served in order of first arrival; "
                + $"your turn is expected in about {seconds.ToString(CultureInfo.InvariantCulture)} seconds. Nothing was charged. "
                + $"Come back in {retryAfterSeconds} seconds with the same Idempotency-Key to keep your place; retrying sooner does not move it.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Waiting for your turn",
            type: ProblemBase + "in-line",
            extensions: new Dictionary<string, object?> { ["position"] = position, ["estimatedWaitSeconds"] = seconds });
    }

    /// <summary>The stored JSON of a final answer, byte for byte, so a replay is the first answer again.</summary>
    public static ContentHttpResult Stored(HttpContext context, int status, string body, string purchaseId)
    {
        if (status == StatusCodes.Status202Accepted)
        {
            context.Response.Headers.Location = PurchaseLocation(purchaseId);
        }

        return TypedResults.Text(body, "application/json", Encoding.UTF8, status);
    }

    public static string Serialize(PurchaseView view) => JsonSerializer.Serialize(view, KernelJsonContext.Default.PurchaseView);

    public static string PurchaseLocation(string purchaseId) => "/api/purchases/" + purchaseId;
}
