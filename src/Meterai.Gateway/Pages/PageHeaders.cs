namespace Meterai.Gateway.Pages;

/// <summary>Response headers of every HTML page.</summary>
internal static class PageHeaders
{
    /// <summary>
    /// The pages need nothing but their own inline style and same-origin forms, so the policy
    /// forbids everything else: no script runs even if some text were ever rendered unescaped.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>For pages with oversight data or forms: never stored, by the browser or anything between.</summary>
    public const string NoStore = "no-cache, no-store";

    public static void Apply(HttpResponse response, string cacheControl)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = cacheControl;
        if (cacheControl.Contains("no-store", StringComparison.Ordinal))
        {
            // What antiforgery sets for a page with a form; set up front, it need not override (and warn).
            headers.Pragma = "no-cache";
        }
    }
}
