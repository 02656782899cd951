using System.Globalization;
using System.Text.Json;

namespace Meterai.Gateway.Oversight;

/// <summary>POST /api/oversight/reports <c>{"from","to"}</c>, validated field by field.</summary>
public static class ReportPeriodRequest
{
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    public static async Task<(DateTimeOffset From, DateTimeOffset To, Dictionary<string, string[]>? Errors)> ReadAsync(
        HttpRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            errors["body"] = ["The body must be JSON: {\"from\": \"2024-09-01T00:00:00Z\", \"to\": \"2024-09-02T00:00:00Z\"} (ISO 8601)."];
            return (default, default, errors);
        }

        using (document)
        {
            var from = Read(document.RootElement, "from", errors);
            var to = Read(document.RootElement, "to", errors);
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
        if (root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty(field, out var value)
            && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        errors[field] = [$"{field} is required: an ISO 8601 date and time such as \"2024-09-01T00:00:00Z\"."];
        return default;
    }
}
