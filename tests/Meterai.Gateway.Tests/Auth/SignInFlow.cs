using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>A browser's side of the sign-in form over plain HTTP: keeps cookies by hand so tests can read their attributes.</summary>
internal sealed partial class SignInFlow(HttpClient client)
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    /// <summary>GETs a page and returns the response, keeping its cookies.</summary>
    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(request);
    }

    /// <summary>Loads the sign-in form at <paramref name="formPath"/> and posts the key with the form's own token.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string key, string formPath = "/oversight/sign-in")
    {
        using var form = await GetAsync(formPath);
        var html = await form.Content.ReadAsStringAsync();
        return await PostFormAsync(FormAction(html), new() { ["apiKey"] = key, [TokenField] = Token(html) });
    }

    public async Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        return await SendAsync(request);
    }

    /// <summary>A POST with no body and the given headers (an API call from the signed-in browser).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request);
    }

    public const string TokenField = "__RequestVerificationToken";

    public static string Token(string html) =>
        TokenInput().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("No antiforgery field in:\n" + html);

    public static string FormAction(string html, string pathPrefix = "/oversight/sign-in") =>
        FormActionAttribute().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).First(a => a.StartsWith(pathPrefix, StringComparison.Ordinal));

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await client.SendAsync(request);
        if (SetCookieHeaderValue.TryParseList(response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [], out var cookies))
        {
            foreach (var cookie in cookies)
            {
                if (cookie.Expires is { } expires && expires < DateTimeOffset.UtcNow)
                {
                    _cookies.Remove(cookie.Name.Value!);
                }
                else
                {
                    _cookies[cookie.Name.Value!] = cookie.Value.Value!;
                }
            }
        }

        return response;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();

    [GeneratedRegex("""<form[^>]*action="([^"]+)"[^>]*>""")]
    private static partial Regex FormActionAttribute();
}
