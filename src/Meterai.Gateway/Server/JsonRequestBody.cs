using System.Buffers;
using System.Text.Unicode;
using Meterai.Gateway.Kernel;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Meterai.Gateway.Server;

/// <summary>
/// The JSON bodies the API reads (purchases, report periods): <c>application/json</c> in UTF-8 only,
/// bounded, complete and valid UTF-8. Each fault is a sentence for the field it concerns, never an
/// exception that would become a 500.
/// </summary>
internal static class JsonRequestBody
{
    /// <summary>The field a 415 names; its presence among the errors is what makes the answer a 415.</summary>
    public const string ContentTypeField = "Content-Type";

    public const string BodyField = "body";

    /// <summary>Null when the request declares <c>application/json</c> (charset, if any, UTF-8); otherwise why not.</summary>
    public static string? ContentTypeFault(HttpRequest request)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            && (!type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return string.IsNullOrEmpty(request.ContentType)
            ? "The Content-Type header is required: application/json."
            : "The Content-Type header must be application/json (UTF-8); other media types are not accepted.";
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/>; returns the bytes, or the fault of the body field:
    /// too large (<see cref="StatusOf"/> makes it a 413), or shorter than its Content-Length (the client stopped sending).
    /// </summary>
    public static async Task<(byte[]? Body, string? Fault)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        // Kestrel then refuses a declared Content-Length over the limit before reading a byte, and a
        // chunked body as soon as it passes it; the count below is the same limit for other servers.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        // A client that ended its sending side (half-close) before the whole body: the pending read
        // is canceled and returns what came, which is all that ever will.
        var reader = request.BodyReader;
        var sendingEnded = Server.HalfClosedClients.Of(request.HttpContext)?.SendingEnded ?? CancellationToken.None;
        using var halfClose = sendingEnded.Register(static r => ((System.IO.Pipelines.PipeReader)r!).CancelPendingRead(), reader);
        while (true)
        {
            System.IO.Pipelines.ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, TooLarge(maxBytes));
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
            {
                // Kestrel's verdict on the framing (a body shorter than its Content-Length, a broken
                // chunk, a client too slow to send): nothing of it can be trusted.
                return (null, "The body ended before its Content-Length, or its framing is broken; send the whole body.");
            }

            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return (null, TooLarge(maxBytes));
            }

            if (result.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return (body, null);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCanceled && sendingEnded.IsCancellationRequested)
            {
                // Nothing more can be read on this connection after the answer: no keep-alive, and no
                // draining the body that will never come (Kestrel would reset the connection for it).
                request.HttpContext.Response.Headers.Connection = "close";
                request.HttpContext.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()?.RequestClose();
                return (null, "The body ended before its Content-Length: the client stopped sending; send the whole body.");
            }
        }
    }

    /// <summary>
    /// The status of an answer to these field errors: 415 for the media type, 413 for a body over
    /// its limit (RFC 9110 15.5.14), otherwise 400.
    /// </summary>
    public static int StatusOf(IReadOnlyDictionary<string, string[]> errors) =>
        errors.ContainsKey(ContentTypeField) ? StatusCodes.Status415UnsupportedMediaType
        : errors.TryGetValue(BodyField, out var body) && body.Any(m => m.StartsWith(TooLargeStart, StringComparison.Ordinal)) ? StatusCodes.Status413PayloadTooLarge
        : StatusCodes.Status400BadRequest;

    /// <summary>413 problem+json naming the body, for errors that <see cref="StatusOf"/> finds too large.</summary>
    public static ProblemHttpResult TooLarge(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(
            detail: string.Join(" ", errors[BodyField]),
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Request body too large",
            type: ProblemTypes.Base + "body-too-large",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    private const string TooLargeStart = "The body is larger than ";

    private static string TooLarge(int maxBytes) => $"{TooLargeStart}{maxBytes} bytes.";

    /// <summary>
    /// Checked after the fields, so invalid bytes inside a field's string are reported for that
    /// field (its text cannot be read) and only bytes elsewhere (a name, an ignored field) for the body.
    /// </summary>
    public static string? Utf8Fault(ReadOnlySpan<byte> body) => Utf8.IsValid(body) ? null : "The body is not valid UTF-8.";

    /// <summary>
    /// Null when every member name of <paramref name="root"/> is text; otherwise the body's fault: a
    /// name with a lone surrogate escape cannot even be compared with a field's name.
    /// </summary>
    public static string? MemberNameFault(System.Text.Json.JsonElement root)
    {
        try
        {
            foreach (var property in root.EnumerateObject())
            {
                _ = property.Name;
            }

            return null;
        }
        catch (InvalidOperationException)
        {
            return "A member name is not valid Unicode text: it holds invalid UTF-8 or a lone surrogate escape such as \\ud800.";
        }
    }

    /// <summary>415 problem+json naming the Content-Type header, for errors that hold <see cref="ContentTypeField"/>.</summary>
    public static ProblemHttpResult UnsupportedMediaType(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(
            detail: string.Join(" ", errors[ContentTypeField]),
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported media type",
            type: ProblemTypes.Base + "unsupported-media-type",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>
    /// A JSON string field, or null with a sentence when it is not a string or not valid Unicode
    /// (a lone surrogate escape such as <c>"\ud800"</c> cannot become text).
    /// </summary>
    public static string? ReadString(System.Text.Json.JsonElement value, out bool invalidUnicode)
    {
        invalidUnicode = false;
        if (value.ValueKind != System.Text.Json.JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            invalidUnicode = true;
            return null;
        }
    }
}
