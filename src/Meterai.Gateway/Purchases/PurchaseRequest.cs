using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Meterai.Gateway.Purchases;

/// <summary>A validated POST /api/purchases.</summary>
/// <param name="CanonicalBody">The body as sent to distributors: only the spec's fields, in a fixed form.</param>
/// <param name="Hash">SHA-256 of <paramref name="CanonicalBody"/>: "the same body" means the same order, whatever the whitespace.</param>
public sealed record PurchaseRequest(string IdempotencyKey, int Quantity, string ApplicantRef, byte[] CanonicalBody, string Hash)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxBodyBytes = 4096;
    public const int MinQuantity = 1;
    public const int MaxQuantity = 10;
    public const int MaxApplicantRefLength = 64;

    /// <summary>Reads and validates the request; on any fault returns every faulty field by name.</summary>
    public static async Task<(PurchaseRequest? Request, Dictionary<string, string[]>? Errors)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var key = ValidateKey(request.Headers[IdempotencyKeyHeader], errors);
        var body = await ReadBodyAsync(request.Body, cancellationToken);
        var (quantity, applicantRef) = ParseBody(body, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var canonical = Canonicalize(quantity, applicantRef!);
        return (new PurchaseRequest(key!, quantity, applicantRef!, canonical, Convert.ToHexStringLower(SHA256.HashData(canonical))), null);
    }

    internal static bool IsValidKey(ReadOnlySpan<char> key)
    {
        if (key.Length is < 8 or > 128)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? ValidateKey(Microsoft.Extensions.Primitives.StringValues values, Dictionary<string, string[]> errors)
    {
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            errors[IdempotencyKeyHeader] = ["The Idempotency-Key header is required: 8 to 128 characters of A-Z a-z 0-9 - _, the same on every retry of this purchase."];
            return null;
        }

        if (values.Count > 1 || !IsValidKey(values[0]))
        {
            errors[IdempotencyKeyHeader] = ["The Idempotency-Key header must be one value of 8 to 128 characters of A-Z a-z 0-9 - _."];
            return null;
        }

        return values[0];
    }

    /// <summary>Null when the body is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= MaxBodyBytes && (read = await body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }

            return length > MaxBodyBytes ? null : buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (int Quantity, string? ApplicantRef) ParseBody(byte[]? body, Dictionary<string, string[]> errors)
    {
        const string Shape = "{\"quantity\": 1..10, \"applicantRef\": \"1 to 64 characters\"}";
        if (body is null)
        {
            errors["body"] = [$"The body is larger than {MaxBodyBytes} bytes; send {Shape}."];
            return default;
        }

        if (body.Length == 0)
        {
            errors["body"] = [$"A JSON body is required: {Shape}."];
            return default;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            errors["body"] = [$"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}); send {Shape}."];
            return default;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors["body"] = [$"The body must be a JSON object: {Shape}."];
                return default;
            }

            int quantity = 0;
            string? applicantRef = null;
            var hasQuantity = false;
            var hasApplicantRef = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("quantity"))
                {
                    hasQuantity = true;
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out quantity)
                        || quantity is < MinQuantity or > MaxQuantity)
                    {
                        errors["quantity"] = [$"quantity must be a whole number from {MinQuantity} to {MaxQuantity}."];
                    }
                }
                else if (property.NameEquals("applicantRef"))
                {
                    hasApplicantRef = true;
                    applicantRef = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    if (applicantRef is null || applicantRef.Length is 0 or > MaxApplicantRefLength || string.IsNullOrWhiteSpace(applicantRef))
                    {
                        errors["applicantRef"] = [$"applicantRef must be a string of 1 to {MaxApplicantRefLength} characters, not blank."];
                    }
                }
            }

            if (!hasQuantity)
            {
                errors["quantity"] = [$"quantity is required: a whole number from {MinQuantity} to {MaxQuantity}."];
            }

            if (!hasApplicantRef)
            {
                errors["applicantRef"] = [$"applicantRef is required: a string of 1 to {MaxApplicantRefLength} characters."];
            }

            return (quantity, applicantRef);
        }
    }

    private static byte[] Canonicalize(int quantity, string applicantRef)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("quantity", quantity);
            writer.WriteString("applicantRef", applicantRef);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
