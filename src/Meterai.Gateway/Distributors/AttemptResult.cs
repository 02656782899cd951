using System.Text.Json;

namespace Meterai.Gateway.Distributors;

/// <summary>Why a POST /orders gave no readable answer.</summary>
public enum AttemptFailure
{
    /// <summary>The distributor answered, and the answer was read.</summary>
    None,

    /// <summary>No connection was ever made (refused, unreachable, no such name): the order never left.</summary>
    NeverConnected,

    /// <summary>No answer within the attempt's timeout.</summary>
    TimedOut,

    /// <summary>The connection broke after the order may have left, before any status came back.</summary>
    Dropped,

    /// <summary>A status came back, but its body broke off or was larger than <see cref="DistributorHttp.MaxAnswerBytes"/>.</summary>
    AnswerUnreadable,
}

/// <summary>
/// What one POST /orders to a distributor came to, as read off the wire: the one input of the
/// purchase's classification, passive health and capacity learning. Immutable; nothing here is judged yet.
/// </summary>
/// <param name="Status">The distributor's HTTP status; null when none came back.</param>
/// <param name="Order">The 201/202 body read as an order, or null when it is not one (unchecked: see OrderValidation).</param>
/// <param name="Error">The <c>error</c> member of a 409's body (<c>out_of_stock</c>), or null.</param>
/// <param name="StartedAt">The injected clock's timestamp when the order was handed to the connection pool.</param>
/// <param name="WrittenAt">The timestamp when its body was written to the connection; 0 when it never was.</param>
/// <param name="HeadersAt">The timestamp when the answer's headers were read; 0 when none came.</param>
/// <param name="EndedAt">The timestamp when the answer was read, or the attempt failed.</param>
internal readonly record struct AttemptResult(
    int? Status, AttemptFailure Failure, DistributorOrder? Order, string? Error, long StartedAt, long WrittenAt, long HeadersAt, long EndedAt)
{
    /// <summary>When the order was with the distributor: once written, or once handed to the pool if it never was.</summary>
    public long SentAt => WrittenAt != 0 ? WrittenAt : StartedAt;

    /// <summary>When the distributor's answer was known: its headers read, or the attempt's end if none came.</summary>
    public long AnsweredAt => HeadersAt != 0 ? HeadersAt : EndedAt;

    /// <summary>No answer: only the failure and its timings.</summary>
    public static AttemptResult Failed(AttemptFailure failure, long startedAt, long writtenAt, long headersAt, long endedAt, int? status = null) =>
        new(status, failure, null, null, startedAt, writtenAt, headersAt, endedAt);

    /// <summary>
    /// An answer read whole: a 201/202 body as an order, a 409's error code; other bodies say nothing
    /// the gateway acts on, so they are not parsed at all.
    /// </summary>
    public static AttemptResult Answered(int status, ReadOnlySpan<byte> body, long startedAt, long writtenAt, long headersAt, long endedAt)
    {
        DistributorOrder? order = null;
        string? error = null;
        if (status is StatusCodes.Status201Created or StatusCodes.Status202Accepted)
        {
            order = ReadOrder(body);
        }
        else if (status == StatusCodes.Status409Conflict)
        {
            error = ReadError(body);
        }

        return new AttemptResult(status, AttemptFailure.None, order, error, startedAt, writtenAt, headersAt, endedAt);
    }

    private static DistributorOrder? ReadOrder(ReadOnlySpan<byte> body)
    {
        try
        {
            return body.IsEmpty ? null : JsonSerializer.Deserialize(body, DistributorJsonContext.Default.DistributorOrder);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The top-level <c>error</c> string of a JSON object, or null: a body that is not one names no error.</summary>
    private static string? ReadError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isError)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
