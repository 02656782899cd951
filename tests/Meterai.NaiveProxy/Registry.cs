using System.Text.Json;

namespace Meterai.NaiveProxy;

internal sealed class RegistryException(string message) : Exception(message);

internal sealed record Destination(string Id, string BaseUrl);

/// <summary>Reads the id and baseUrl of every entry of a gateway registry file; loopback http only.</summary>
internal static class Registry
{
    public static IReadOnlyList<Destination> Load(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("distributors", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                throw new RegistryException($"'{path}': expected an object with a non-empty \"distributors\" array.");
            }

            return list.EnumerateArray().Select((item, n) => Entry(item, path, n + 1)).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new RegistryException($"'{path}': {ex.Message}");
        }
    }

    private static Destination Entry(JsonElement item, string path, int number)
    {
        var id = item.TryGetProperty("id", out var i) ? i.GetString() : null;
        var baseUrl = item.TryGetProperty("baseUrl", out var b) ? b.GetString() : null;
        if (string.IsNullOrWhiteSpace(id) || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            throw new RegistryException($"'{path}', entry {number}: needs an \"id\" and an absolute \"baseUrl\".");
        }

        // A benchmark tool: it never sends load off this machine, and it holds no distributor keys.
        if (uri.Scheme != Uri.UriSchemeHttp || !uri.IsLoopback)
        {
            throw new RegistryException($"'{path}', entry {number}: baseUrl must be http:// on loopback, not '{baseUrl}'.");
        }

        if (item.TryGetProperty("apiKey", out var key) && key.ValueKind == JsonValueKind.String)
        {
            throw new RegistryException($"'{path}', entry {number}: has an apiKey; the naive proxy sends no distributor keys.");
        }

        return new Destination(id, uri.AbsoluteUri);
    }
}
