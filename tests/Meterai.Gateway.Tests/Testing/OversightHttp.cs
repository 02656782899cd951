using System.Net.Http.Json;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>One oversight request, authenticated by an API key, as a regulator's or operator's tool sends it.</summary>
internal static class OversightHttp
{
    public static Task<HttpResponseMessage> SendWithKeyAsync(this HttpClient client, HttpMethod method, string path, string key, object? body = null, string? accept = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", key);
        if (accept is not null)
        {
            request.Headers.Add("Accept", accept);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }
}
