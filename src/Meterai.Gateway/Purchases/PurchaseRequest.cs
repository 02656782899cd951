using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Meterai.Gateway.Server;

namespace Meterai.Gateway.Purchases;

/// <summary>A validated POST /api/purchases.</summary>
/// <param name="CanonicalBody">The body as sent to distributors: only the fields of docs/api/distributor-api.md, in a fixed form.</param>
/// <param name="Hash">SHA-256 of <paramref name="CanonicalBody"/>: "the same body" means the same order, whatever the whitespace.</param>
internal sealed record PurchaseRequest(string IdempotencyKey, int Quantity, string ApplicantRef, byte[] CanonicalBody, string Hash)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxBodyBytes = 4096;
    public const int MinQuantity = 1;
    public const int MaxQuantity = 10;
    public const int MaxApplicantRefLength = 64;

    /// <summary>
    /// Reads and validates the request; on any fault returns every faulty field by name. A body that
    /// is not <c>application/json</c> is refused on that alone, under <see cref="JsonRequestBody.ContentTypeField"/> (415).
    /// </summary>
    public static async Task<(PurchaseRequest? Request, Dictionary<string, string[]>? Errors)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (JsonRequestBody.ContentTypeFault(request) is { } contentType)
        {
            errors[JsonRequestBody.ContentTypeField] = [contentType];
            return (null, errors);
        }

        var key = ValidateKey(request.Headers[IdempotencyKeyHeader], errors);
        var (body, bodyFault) = await JsonRequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        var (quantity, applicantRef) = ParseBody(body, bodyFault, errors);
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

    private static (int Quantity, string? ApplicantRef) ParseBody(byte[]? body, string? bodyFault, Dictionary<string, string[]> errors)
    {
        const string Shape = "{\"quantity\": 1..10, \"applicantRef\": \"1 to 64 characters\"}";
        if (body is null)
        {
            errors["body"] = [$"{bodyFault} Send {Shape}."];
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
            if (JsonRequestBody.MemberNameFault(document.RootElement) is { } names)
            {
                errors["body"] = [$"{names} Send {Shape}."];
                return default;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("quantity"))
                {
                    if (hasQuantity)
                    {
                        errors["quantity"] = ["quantity must appear once: a body that says two things is refused, not guessed at."];
                        continue;
                    }

                    hasQuantity = true;
                    if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out quantity)
                        || quantity is < MinQuantity or > MaxQuantity)
                    {
                        errors["quantity"] = [$"quantity must be a whole number from {MinQuantity} to {MaxQuantity}."];
                    }
                }
                else if (property.NameEquals("applicantRef"))
                {
                    if (hasApplicantRef)
                    {
                        errors["applicantRef"] = ["applicantRef must appear once: a body that says two things is refused, not guessed at."];
                        continue;
                    }

                    hasApplicantRef = true;
                    applicantRef = JsonRequestBody.ReadString(property.Value, out var invalidUnicode);
                    if (invalidUnicode)
                    {
                        errors["applicantRef"] = ["applicantRef must be valid Unicode text: it holds invalid UTF-8 or a lone surrogate escape such as \\ud800."];
                    }
                    else if (applicantRef is null || applicantRef.Length is 0 or > MaxApplicantRefLength || !HasVisibleCharacter(applicantRef))
                    {
                        errors["applicantRef"] = [$"applicantRef must be a string of 1 to {MaxApplicantRefLength} characters, not blank."];
                    }
                    else if (!IsPrintable(applicantRef))
                    {
                        errors["applicantRef"] = ["applicantRef must hold printable characters only: no control characters (NUL, tab, line breaks) or invisible formatting characters."];
                    }
                }
            }

            if (errors.Count == 0 && JsonRequestBody.Utf8Fault(body) is { } encoding)
            {
                errors["body"] = [$"{encoding} Send {Shape}."];
                return default;
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

    /// <summary>
    /// No control (Cc), format (Cf), surrogate, private-use or line/paragraph-separator characters:
    /// the reference is printed on reports and stored in PostgreSQL, which cannot hold NUL at all.
    /// </summary>
    internal static bool IsPrintable(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            switch (System.Text.Rune.GetUnicodeCategory(rune))
            {
                case System.Globalization.UnicodeCategory.Control:
                case System.Globalization.UnicodeCategory.Format:
                case System.Globalization.UnicodeCategory.Surrogate:
                case System.Globalization.UnicodeCategory.PrivateUse:
                case System.Globalization.UnicodeCategory.LineSeparator:
                case System.Globalization.UnicodeCategory.ParagraphSeparator:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// At least one character that shows: not only spaces, combining marks (U+034F alone), or the
    /// letters and symbols that render as blank (Hangul fillers such as U+3164, the blank braille
    /// pattern U+2800). A reference nobody can read on a report is as good as an empty one.
    /// </summary>
    internal static bool HasVisibleCharacter(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 || System.Text.Rune.IsWhiteSpace(rune))
            {
                continue;
            }

            switch (System.Text.Rune.GetUnicodeCategory(rune))
            {
                case System.Globalization.UnicodeCategory.NonSpacingMark:
                case System.Globalization.UnicodeCategory.SpacingCombiningMark:
                case System.Globalization.UnicodeCategory.EnclosingMark:
                case System.Globalization.UnicodeCategory.Format:
                case System.Globalization.UnicodeCategory.Control:
                    continue;
                default:
                    return true;
            }
        }

        return false;
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
