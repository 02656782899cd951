using System.Text;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>
/// One malformed request of the corpus and the refusal it must get: <paramref name="Status"/>, and
/// the <paramref name="Field"/> the answer names (problem+json), or an HTML page for a browser form
/// (<paramref name="Page"/>), or Kestrel's own bare refusal of a request that breaks HTTP itself (<paramref name="Protocol"/>).
/// </summary>
internal sealed record HostileCase(string Name, int Status, string Field, Func<CorpusTarget, Task<RawHttp.Answer>> Send, bool Page = false, bool Protocol = false)
{
    public override string ToString() => Name;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The bytes of <paramref name="before"/>, then <paramref name="raw"/> as they are, then <paramref name="after"/>.</summary>
    public static byte[] Bytes(string before, byte[] raw, string after) => [.. Utf8(before), .. raw, .. Utf8(after)];
}

/// <summary>What a corpus case sends to: the gateway under test, its keys, and requests in exact bytes.</summary>
internal sealed class CorpusTarget(GatewayHarness gateway, string reportId)
{
    private int _keys;

    public GatewayHarness Gateway { get; } = gateway;

    /// <summary>A report that exists, for the Accept cases.</summary>
    public string ReportId { get; } = reportId;

    /// <summary>A valid Idempotency-Key never used before, so only the case's own fault can refuse it.</summary>
    public string NewKey() => $"corpus-key-{Interlocked.Increment(ref _keys):D6}";

    /// <summary>Sends exactly these bytes; <c>Content-Length</c> is the body's unless the case gives its own, or Transfer-Encoding.</summary>
    public Task<RawHttp.Answer> SendAsync(string method, string target, byte[] body, params (string Name, string Value)[] headers)
    {
        var all = headers.ToList();
        if (!all.Any(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            && (body.Length > 0 || method != "GET"))
        {
            all.Add(("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // A body shorter than its Content-Length stays short: the connection stays open and silent,
        // as a stalled client's does, until Kestrel's minimum body data rate gives up on it.
        return RawHttp.SendAsync(Gateway.BaseAddress, RawHttp.Request(method, target, all, body));
    }

    /// <summary>POST /api/purchases as JSON with a fresh key and this Content-Length, then the client ends its sending side (half-close).</summary>
    public Task<RawHttp.Answer> PurchaseThenHalfCloseAsync(byte[] body, int contentLength) =>
        RawHttp.SendAsync(Gateway.BaseAddress, RawHttp.Request("POST", "/api/purchases", [("Content-Type", "application/json"), ("Idempotency-Key", NewKey()),
            ("Content-Length", contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture))], body), endSending: true);

    /// <summary>POST /api/purchases as JSON with a fresh key, plus the case's headers.</summary>
    public Task<RawHttp.Answer> PurchaseAsync(byte[] body, params (string Name, string Value)[] headers) =>
        SendAsync("POST", "/api/purchases", body, [("Content-Type", "application/json"), ("Idempotency-Key", NewKey()), .. headers]);

    public Task<RawHttp.Answer> PurchaseAsync(string body) => PurchaseAsync(HostileCase.Utf8(body));

    /// <summary>POST /api/purchases with exactly the headers given (no key or type added).</summary>
    public Task<RawHttp.Answer> PurchaseBareAsync(byte[] body, params (string Name, string Value)[] headers) =>
        SendAsync("POST", "/api/purchases", body, headers);

    /// <summary>POST /api/oversight/reports with an operator key, as JSON.</summary>
    public Task<RawHttp.Answer> ReportAsync(byte[] body, params (string Name, string Value)[] headers) =>
        SendAsync("POST", "/api/oversight/reports", body, [("Content-Type", "application/json"), ("X-Api-Key", Auth.OversightKeys.Operator), .. headers]);

    public Task<RawHttp.Answer> ReportAsync(string body) => ReportAsync(HostileCase.Utf8(body));

    public Task<RawHttp.Answer> GetAsync(string target, params (string Name, string Value)[] headers) =>
        SendAsync("GET", target, [], headers);

    /// <summary>A signed-in operator's cookies, and a fresh form's antiforgery token, from the real sign-in form.</summary>
    public async Task<(string Cookie, string Token)> SignedInOperatorAsync()
    {
        var flow = new Auth.SignInFlow(Gateway.RawClient);
        using (await flow.SignInAsync(Auth.OversightKeys.Operator))
        {
        }

        using var page = await flow.GetAsync("/oversight/sign-in");
        var token = Auth.SignInFlow.Token(await page.Content.ReadAsStringAsync());
        return (string.Join("; ", flow.Cookies.Select(c => $"{c.Key}={c.Value}")), token);
    }

    /// <summary>The sign-in form's antiforgery cookie and token, without signing in.</summary>
    public async Task<(string Cookie, string Token)> SignInFormAsync()
    {
        var flow = new Auth.SignInFlow(Gateway.RawClient);
        using var page = await flow.GetAsync("/oversight/sign-in");
        var token = Auth.SignInFlow.Token(await page.Content.ReadAsStringAsync());
        return (string.Join("; ", flow.Cookies.Select(c => $"{c.Key}={c.Value}")), token);
    }
}
