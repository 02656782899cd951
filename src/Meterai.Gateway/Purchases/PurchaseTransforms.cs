using System.Buffers;
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
    /// <summary>An order answer is a few hundred bytes; anything far larger is not one.</summary>
    private const int MaxAnswerBytes = 64 * 1024;

    /// <summary>Room for a usual answer in one read.</summary>
    private const int InitialAnswerBytes = 1024;

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

    /// <summary>
    /// The answer's bytes, exactly: read into a pooled buffer and copied out once, because a
    /// per-answer chunk and a growing MemoryStream were a third of the purchase path's allocation.
    /// </summary>
    internal static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialAnswerBytes);
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > MaxAnswerBytes)
                {
                    throw new InvalidDataException("distributor answer too large");
                }

                if (length == buffer.Length)
                {
                    // One byte past the limit is room enough to see that an answer is too large.
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxAnswerBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
