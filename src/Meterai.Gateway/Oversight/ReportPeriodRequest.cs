using System.Text.Json;
using Meterai.Gateway.Server;

namespace Meterai.Gateway.Oversight;

/// <summary>POST /api/oversight/reports <c>{"from","to"}</c>, validated field by field.</summary>
internal static class ReportPeriodRequest
{
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    /// <summary>A period is two timestamps; anything much larger is not one.</summary>
    public const int MaxBodyBytes = 4096;

    private const string Example = "{\"from\": \"2024-09-01T00:00:00Z\", \"to\": \"2024-09-02T00:00:00Z\"} (ISO 8601)";

    /// <summary>
    /// The period, or every faulty field by name. A body that is not <c>application/json</c> is refused
    /// on that alone, under <see cref="JsonRequestBody.ContentTypeField"/> (415).
    /// </summary>
    public static async Task<(DateTimeOffset From, DateTimeOffset To, Dictionary<string, string[]>? Errors)> ReadAsync(
        HttpRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (JsonRequestBody.ContentTypeFault(request) is { } contentType)
        {
            errors[JsonRequestBody.ContentTypeField] = [contentType];
            return (default, default, errors);
        }

        var (body, fault) = await JsonRequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            errors[JsonRequestBody.BodyField] = [$"{fault} Send {Example}."];
            return (default, default, errors);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            errors[JsonRequestBody.BodyField] = [$"The body must be JSON: {Example}."];
            return (default, default, errors);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors[JsonRequestBody.BodyField] = [$"The body must be a JSON object: {Example}."];
                return (default, default, errors);
            }

            if (JsonRequestBody.MemberNameFault(document.RootElement) is { } names)
            {
                errors[JsonRequestBody.BodyField] = [$"{names} Send {Example}."];
                return (default, default, errors);
            }

            var from = Read(document.RootElement, "from", errors);
            var to = Read(document.RootElement, "to", errors);
            if (errors.Count == 0 && JsonRequestBody.Utf8Fault(body) is { } encoding)
            {
                errors[JsonRequestBody.BodyField] = [$"{encoding} Send {Example}."];
            }

            if (errors.Count == 0)
            {
                if (from >= to)
                {
                    errors["to"] = ["to must be later than from."];
                }
                else if (to > now)
                {
                    errors["to"] = ["to must not be in the future: a report states what has happened."];
                }
                else if (to - from > MaxPeriod)
                {
                    errors["from"] = [$"The period must be at most {MaxPeriod.TotalDays:0} days."];
                }
            }

            return (from, to, errors.Count == 0 ? null : errors);
        }
    }

    private static DateTimeOffset Read(JsonElement root, string field, Dictionary<string, string[]> errors)
    {
        var required = $"{field} is required: an ISO 8601 date and time such as \"2024-09-01T00:00:00Z\".";
        JsonElement value = default;
        var count = 0;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals(field))
            {
                value = property.Value;
                count++;
            }
        }

        if (count > 1)
        {
            errors[field] = [$"{field} must appear once: a body that says two things is refused, not guessed at."];
            return default;
        }

        var invalidUnicode = false;
        var text = count == 1 ? JsonRequestBody.ReadString(value, out invalidUnicode) : null;
        if (invalidUnicode)
        {
            errors[field] = [$"{field} must be valid Unicode text: it holds invalid UTF-8 or a lone surrogate escape such as \\ud800."];
            return default;
        }

        if (text is null || !TryParseIso8601(value, text, out var at))
        {
            errors[field] = [required];
            return default;
        }

        return at;
    }

    /// <summary>
    /// ISO 8601 only, as System.Text.Json reads it ("2024-09-01", "2024-09-01T00:00:00+07:00"):
    /// never a culture's format, so "01/02/2024" is refused rather than guessed to be 2 January.
    /// A time without an offset is UTC, whatever the server's zone.
    /// </summary>
    private static bool TryParseIso8601(JsonElement value, string text, out DateTimeOffset at)
    {
        if (!value.TryGetDateTimeOffset(out var parsed))
        {
            at = default;
            return false;
        }

        var time = text.AsSpan().IndexOfAny('T', 't');
        var hasOffset = time >= 0 && text.AsSpan(time).IndexOfAny("Zz+-") >= 0;
        at = hasOffset ? parsed.ToUniversalTime() : new DateTimeOffset(DateTime.SpecifyKind(parsed.DateTime, DateTimeKind.Unspecified), TimeSpan.Zero);
        return true;
    }
}
