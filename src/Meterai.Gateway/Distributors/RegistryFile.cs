using System.Text.Json;
using System.Text.RegularExpressions;
using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Distributors;

/// <summary>Reads and validates the registry file described in the docs/api/gateway-api.md.</summary>
/// <remarks>
/// Parsed with <see cref="JsonDocument"/> rather than a serializer so that each fault names the
/// entry it is in; a registry that is only partly right must stop start-up, never half-load.
/// </remarks>
internal static partial class RegistryFile
{
    public static IReadOnlyList<DistributorEntry> Load(string path, int defaultMaxConcurrency)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryException($"Distributor registry '{path}': cannot be read: {ex.Message}");
        }

        return Parse(text, path, defaultMaxConcurrency);
    }

    public static IReadOnlyList<DistributorEntry> Parse(string json, string path, int defaultMaxConcurrency)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new RegistryException(
                $"Distributor registry '{path}': not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("distributors", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                throw new RegistryException($"Distributor registry '{path}': expected an object with a \"distributors\" array.");
            }

            if (list.GetArrayLength() == 0)
            {
                throw new RegistryException($"Distributor registry '{path}': the \"distributors\" array is empty.");
            }

            var entries = new List<DistributorEntry>();
            var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
            var number = 0;
            foreach (var item in list.EnumerateArray())
            {
                number++;
                var entry = ParseEntry(item, path, number, defaultMaxConcurrency);
                if (!firstSeen.TryAdd(entry.Id, number))
                {
                    throw new RegistryException(
                        $"Distributor registry '{path}', entry {number}: duplicate id '{entry.Id}' (first used by entry {firstSeen[entry.Id]}).");
                }

                entries.Add(entry);
            }

            return entries;
        }
    }

    private static DistributorEntry ParseEntry(JsonElement item, string path, int number, int defaultMaxConcurrency)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Fault(path, number, null, "is not a JSON object");
        }

        var id = OptionalString(item, "id", path, number, null);
        if (string.IsNullOrEmpty(id) || !IdPattern().IsMatch(id))
        {
            // Ids become metric labels and URL segments, so their alphabet is kept small.
            throw Fault(path, number, null, "\"id\" must be 1 to 64 characters of A-Z a-z 0-9 . _ -");
        }

        var name = OptionalString(item, "name", path, number, id);
        if (string.IsNullOrWhiteSpace(name))
        {
            name = id;
        }

        var baseUrlText = OptionalString(item, "baseUrl", path, number, id);
        if (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out var baseUrl)
            || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment))
        {
            // The value is not echoed: a malformed URL may still carry a credential.
            throw Fault(path, number, id, "\"baseUrl\" is not an absolute http(s) URL without query or fragment");
        }

        if (!string.IsNullOrEmpty(baseUrl.UserInfo))
        {
            throw Fault(path, number, id, "\"baseUrl\" must not contain credentials; put the distributor's key in \"apiKey\"");
        }

        // Read the key without ever echoing it: a fault here names the field, not the value.
        var apiKey = OptionalString(item, "apiKey", path, number, id);
        if (apiKey is { Length: 0 })
        {
            apiKey = null;
        }

        var maxConcurrency = defaultMaxConcurrency;
        if (item.TryGetProperty("maxConcurrency", out var max) && max.ValueKind != JsonValueKind.Null)
        {
            if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 100_000)
            {
                throw Fault(path, number, id, "\"maxConcurrency\" must be a whole number from 1 to 100000");
            }
        }

        return new DistributorEntry(id, name, baseUrl, apiKey, maxConcurrency);
    }

    private static string? OptionalString(JsonElement item, string property, string path, int number, string? id)
    {
        if (!item.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Fault(path, number, id, $"\"{property}\" must be a string");
    }

    private static RegistryException Fault(string path, int number, string? id, string fault) =>
        new(id is null
            ? $"Distributor registry '{path}', entry {number}: {fault}."
            : $"Distributor registry '{path}', entry {number} ('{id}'): {fault}.");

    // \z, not $: $ also matches before a trailing newline, which would let "d01\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex IdPattern();
}
