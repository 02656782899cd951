using Meterai.Gateway.Distributors;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// YARP transforms of the purchase route: the applicant's request becomes a distributor's
/// POST /orders, and the distributor's answer is captured for the orchestrator instead of being
/// streamed to the applicant, who gets the gateway's own answer.
/// </summary>
internal static class PurchaseTransforms
{
    /// <summary>Added unparsed: a typed header value is formatted again for every request that carries it.</summary>
    private const string Json = "application/json; charset=utf-8";

    public static void Apply(TransformBuilderContext context)
    {
        // Nothing of the applicant's request (cookies, addresses, other headers) is the distributor's business.
        context.CopyRequestHeaders = false;
        context.UseDefaultForwarders = false;
        context.CopyResponseHeaders = false;
        context.CopyResponseTrailers = false;
        context.AddRequestTransform(PrepareOrder);
        context.AddResponseTransform(CaptureAnswer);
    }

    private static ValueTask PrepareOrder(RequestTransformContext context)
    {
        var attempt = context.HttpContext.Features.GetRequiredFeature<PurchaseAttemptFeature>();
        var distributor = attempt.Distributor!.Entry;
        var request = context.ProxyRequest;
        request.RequestUri = distributor.OrdersUri;

        // YARP owns the outgoing content (it streams HttpContext.Request.Body, which UseCanonicalBody
        // set); only its headers are ours.
        if (request.Content is { } content)
        {
            content.Headers.Remove("Content-Type");
            content.Headers.TryAddWithoutValidation("Content-Type", Json);
            content.Headers.ContentLength = attempt.CanonicalBody.Length;
        }

        request.Headers.TryAddWithoutValidation(PurchaseRequest.IdempotencyKeyHeader, attempt.PurchaseId);
        if (distributor.Authorization is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Gives the forwarder a fresh copy of the validated body for each attempt: the applicant's
    /// stream was read once, by validation, and YARP forwards only what HttpContext.Request holds.
    /// </summary>
    public static void UseCanonicalBody(HttpContext context, PurchaseAttemptFeature attempt)
    {
        context.Request.Body = new MemoryStream(attempt.CanonicalBody, writable: false);
        context.Request.ContentLength = attempt.CanonicalBody.Length;
    }

    private static async ValueTask CaptureAnswer(ResponseTransformContext context)
    {
        context.SuppressResponseBody = true;
        if (context.ProxyResponse is not { } response)
        {
            return; // a transport error or timeout: IForwarderErrorFeature says which
        }

        var attempt = context.HttpContext.Features.GetRequiredFeature<PurchaseAttemptFeature>();
        attempt.Status = (int)response.StatusCode;
        try
        {
            attempt.Body = await ReadLimitedAsync(response.Content, context.CancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or InvalidDataException)
        {
            // A connection dropped mid-answer: the order may exist. The orchestrator looks it up.
            attempt.BodyFailed = true;
        }
    }

    /// <summary>At most 64 KiB of the answer, the limit every distributor call keeps (<see cref="DistributorHttp"/>).</summary>
    internal static Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken) =>
        DistributorHttp.ReadAnswerAsync(content, cancellationToken);
}
