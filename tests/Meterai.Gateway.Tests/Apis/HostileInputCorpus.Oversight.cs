using static Meterai.Gateway.Tests.Apis.HostileCase;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>The corpus: look-ups, oversight (keys, report periods, Accept), sign-in and cookie actions.</summary>
internal static partial class HostileInputCorpus
{
    private const string ApiKey = "X-Api-Key";
    private const string From = "from";
    private const string To = "to";

    /// <summary>Every case, by name (the theory's data).</summary>
    public static IReadOnlyDictionary<string, HostileCase> All { get; } =
        PurchaseCases().Concat(LookupCases()).Concat(OversightCases()).Concat(SignInCases()).Concat(ProtocolCases()).ToDictionary(c => c.Name);

    private static string Period(string from, string to) => $$"""{"from":"{{from}}","to":"{{to}}"}""";

    private static IEnumerable<HostileCase> LookupCases() =>
    [
        new("look-up: unknown well-formed id", 404, "id", t => t.GetAsync("/api/purchases/pur_0123456789abcdef0123456789abcdef")),
        new("look-up: malformed id", 404, "id", t => t.GetAsync("/api/purchases/pur_XYZ")),
        new("look-up: id in upper-case hex", 404, "id", t => t.GetAsync("/api/purchases/pur_0123456789ABCDEF0123456789ABCDEF")),
        new("look-up: invalid UTF-8 in id", 404, "id", t => t.GetAsync("/api/purchases/%FF%FE")),
        new("look-up: 4000-character id", 404, "id", t => t.GetAsync("/api/purchases/" + new string('a', 4000))),
        new("look-up: SQL in id", 404, "id", t => t.GetAsync("/api/purchases/pur_'%20OR%201=1%20--")),
        new("look-up: encoded path traversal", 404, "id", t => t.GetAsync("/api/purchases/%2e%2e%2f%2e%2e%2fetc%2fpasswd")),
    ];

    private static IEnumerable<HostileCase> OversightCases() =>
    [
        // Keys.
        new("oversight: report with no key", 401, ApiKey, t => t.SendAsync("POST", "/api/oversight/reports", Utf8("{}"), ("Content-Type", "application/json"))),
        new("oversight: report with a regulator key", 403, "key", t => t.SendAsync("POST", "/api/oversight/reports", Utf8("{}"), ("Content-Type", "application/json"), (ApiKey, Auth.OversightKeys.Regulator))),
        new("oversight: unknown key", 401, ApiKey, t => t.GetAsync("/api/oversight/distributors", (ApiKey, Auth.OversightKeys.Unknown))),
        new("oversight: empty key", 401, ApiKey, t => t.GetAsync("/api/oversight/distributors", (ApiKey, ""))),
        new("oversight: key twice", 401, ApiKey, t => t.GetAsync("/api/oversight/distributors", (ApiKey, Auth.OversightKeys.Regulator), (ApiKey, Auth.OversightKeys.Operator))),
        new("oversight: 8000-character key", 401, ApiKey, t => t.GetAsync("/api/oversight/flags", (ApiKey, new string('k', 8000)))),
        new("oversight: sha256 form sent as a key", 401, ApiKey, t => t.GetAsync("/api/oversight/flags", (ApiKey, "sha256:" + Auth.OversightKeys.Sha256Hex(Auth.OversightKeys.Regulator)))),
        new("oversight: flags?open=maybe", 400, "open", t => t.GetAsync("/api/oversight/flags?open=maybe", (ApiKey, Auth.OversightKeys.Regulator))),

        // Report periods: ISO 8601 only, valid Unicode, in order, in the past.
        new("report: Content-Type text/plain", 415, "Content-Type", t => t.SendAsync("POST", "/api/oversight/reports", Utf8(Period("2024-09-01T00:00:00Z", "2024-09-02T00:00:00Z")), ("Content-Type", "text/plain"), (ApiKey, Auth.OversightKeys.Operator))),
        new("report: from 01/02/2024", 400, From, t => t.ReportAsync(Period("01/02/2024", "2024-09-02T00:00:00Z"))),
        new("report: to 2/9/2024 10:00 PM", 400, To, t => t.ReportAsync(Period("2024-09-01T00:00:00Z", "2/9/2024 10:00 PM"))),
        new("report: from yesterday", 400, From, t => t.ReportAsync(Period("yesterday", "2024-09-02T00:00:00Z"))),
        new("report: month 13", 400, From, t => t.ReportAsync(Period("2024-13-01T00:00:00Z", "2024-09-02T00:00:00Z"))),
        new("report: 30 February", 400, From, t => t.ReportAsync(Period("2024-02-30", "2024-09-02T00:00:00Z"))),
        new("report: offset +25:00", 400, From, t => t.ReportAsync(Period("2024-09-01T00:00:00+25:00", "2024-09-02T00:00:00Z"))),
        new("report: lone surrogate in from", 400, From, t => t.ReportAsync(Period("2024-09-01\\ud800", "2024-09-02T00:00:00Z"))),
        new("report: lone surrogate in to", 400, To, t => t.ReportAsync(Period("2024-09-01T00:00:00Z", "\\udfff"))),
        new("report: invalid UTF-8 in to", 400, To, t => t.ReportAsync(Bytes("{\"from\":\"2024-09-01T00:00:00Z\",\"to\":\"2024-09-02", [0xFF], "\"}"))),
        new("report: lone surrogate escape in a member name", 400, "body", t => t.ReportAsync("""{"\udc1dfkWa":{},"from":"2024-09-01T00:00:00Z","to":"2024-09-02T00:00:00Z"}""")),
        new("report: from as a number", 400, From, t => t.ReportAsync("""{"from":20240901,"to":"2024-09-02T00:00:00Z"}""")),
        new("report: from twice", 400, From, t => t.ReportAsync("""{"from":"2024-09-01T00:00:00Z","from":"2024-08-01T00:00:00Z","to":"2024-09-02T00:00:00Z"}""")),
        new("report: to before from", 400, To, t => t.ReportAsync(Period("2024-09-02T00:00:00Z", "2024-09-01T00:00:00Z"))),
        new("report: to in the future", 400, To, t => t.ReportAsync(Period("2024-09-01T00:00:00Z", "2999-01-01T00:00:00Z"))),
        new("report: a period of two years", 400, From, t => t.ReportAsync(Period("2022-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))),
        new("report: body is an array", 400, "body", t => t.ReportAsync("[]")),
        new("report: body is not JSON", 400, "body", t => t.ReportAsync("from=2024-09-01")),
        new("report: empty body", 400, "body", t => t.ReportAsync("")),
        new("report: body shorter than Content-Length", 400, "body", t => t.ReportAsync(Utf8("""{"from":"2024-09-01T00:00"""), ("Content-Length", "300"))),

        // Accept and ids of reports.
        new("report: unknown id", 404, "id", t => t.GetAsync("/api/oversight/reports/rpt_doesnotexist", (ApiKey, Auth.OversightKeys.Regulator))),
        new("report: Accept image/png", 406, "Accept", t => t.GetAsync("/api/oversight/reports/" + t.ReportId, (ApiKey, Auth.OversightKeys.Regulator), ("Accept", "image/png"))),
        new("report: Accept with every format at q=0", 406, "Accept", t => t.GetAsync("/api/oversight/reports/" + t.ReportId, (ApiKey, Auth.OversightKeys.Regulator), ("Accept", "application/json;q=0, text/csv;q=0, text/html;q=0"))),
    ];

    /// <summary>Requests Kestrel itself refuses before any gateway code runs: a bare 4xx, which no application code can shape.</summary>
    private static IEnumerable<HostileCase> ProtocolCases() =>
    [
        new("protocol: NUL in the path", 400, "", t => t.GetAsync("/api/purchases/pur_%00"), Protocol: true),
        new("protocol: Content-Length twice", 400, "", t => t.PurchaseAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), ("Content-Length", "33"), ("Content-Length", "34")), Protocol: true),
        new("protocol: non-ASCII byte in a header", 400, "", t => t.PurchaseAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), ("X-Note", "café")), Protocol: true),
        new("protocol: 40 KB of headers", 431, "", t => t.PurchaseAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), ("X-Pad", new string('x', 40_000))), Protocol: true),
    ];

    private static IEnumerable<HostileCase> SignInCases() =>
    [
        new("sign-in: form without antiforgery token", 400, "", t => t.SendAsync("POST", "/oversight/sign-in", Utf8("apiKey=x"), ("Content-Type", "application/x-www-form-urlencoded")), Page: true),
        new("sign-in: JSON instead of a form", 400, "", t => t.SendAsync("POST", "/oversight/sign-in", Utf8("""{"apiKey":"x"}"""), ("Content-Type", "application/json")), Page: true),
        new("sign-in: malformed multipart", 400, "", t => t.SendAsync("POST", "/oversight/sign-in", Utf8("--b\r\nbroken"), ("Content-Type", "multipart/form-data; boundary=b")), Page: true),
        new("sign-in: unknown key with a valid token", 401, "", async t =>
        {
            var (cookie, token) = await t.SignInFormAsync();
            return await t.SendAsync("POST", "/oversight/sign-in", Utf8($"apiKey=unknown-key&__RequestVerificationToken={Uri.EscapeDataString(token)}"), ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie));
        }, Page: true),
        new("sign-in: NUL in the key with a valid token", 400, "", async t =>
        {
            var (cookie, token) = await t.SignInFormAsync();
            return await t.SendAsync("POST", "/oversight/sign-in", Utf8($"apiKey=%00&__RequestVerificationToken={Uri.EscapeDataString(token)}"), ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie));
        }, Page: true),
        new("sign-in: body shorter than Content-Length", 400, "", async t =>
        {
            var (cookie, _) = await t.SignInFormAsync();
            return await t.SendAsync("POST", "/oversight/sign-in", Utf8("apiKey=abc&__Request"), ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie), ("Content-Length", "500"));
        }, Page: true),
        new("sign-in: JSON body with the antiforgery token in the header", 400, "", async t =>
        {
            var (cookie, token) = await t.SignInFormAsync();
            return await t.SendAsync("POST", "/oversight/sign-in", Utf8($$"""{"apiKey":"{{Auth.OversightKeys.Operator}}"}"""), ("Content-Type", "application/json"), ("Cookie", cookie), ("RequestVerificationToken", token));
        }, Page: true),
        new("sign-in: form value over the form limit, token in the header", 400, "", async t =>
        {
            var (cookie, token) = await t.SignInFormAsync();
            return await t.SendAsync("POST", "/oversight/sign-in", Utf8("apiKey=" + new string('k', 8 * 1024)), ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie), ("RequestVerificationToken", token));
        }, Page: true),
        new("sign-in: two apiKey fields with a valid token", 400, "", async t =>
        {
            var (cookie, token) = await t.SignInFormAsync();
            return await t.SendAsync("POST", "/oversight/sign-in", Utf8($"apiKey={Auth.OversightKeys.Operator}&apiKey=x&__RequestVerificationToken={Uri.EscapeDataString(token)}"), ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie));
        }, Page: true),
        new("sign-in: returnUrl that is not UTF-8", 400, "", t => t.GetAsync("/oversight/sign-in?returnUrl=%2Foversight%2F%25C3%2528"), Page: true),
        new("sign-in: returnUrl with a bad percent-escape", 400, "", t => t.GetAsync("/oversight/sign-in?returnUrl=%2Foversight%2F%25zz"), Page: true),
        new("sign-in: returnUrl with CR LF", 400, "", t => t.GetAsync("/oversight/sign-in?returnUrl=%2Foversight%0D%0ALocation%3A%20%2F%2Fevil.example"), Page: true),
        new("sign-in: returnUrl given twice", 400, "", t => t.GetAsync("/oversight/sign-in?returnUrl=%2Foversight&returnUrl=%2F%2Fevil.example"), Page: true),
        new("sign-in: returnUrl of 3000 characters", 400, "", t => t.GetAsync("/oversight/sign-in?returnUrl=%2Foversight%2F" + new string('a', 3000)), Page: true),
        new("sign-in: malformed returnUrl on the form's POST", 400, "", async t =>
        {
            var (cookie, token) = await t.SignInFormAsync();
            return await t.SendAsync("POST", "/oversight/sign-in?returnUrl=%25FF", Utf8($"apiKey={Auth.OversightKeys.Operator}&__RequestVerificationToken={Uri.EscapeDataString(token)}"), ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie));
        }, Page: true),
        new("cookie: operator API action without antiforgery token", 400, "RequestVerificationToken", async t =>
        {
            var (cookie, _) = await t.SignedInOperatorAsync();
            return await t.SendAsync("POST", "/api/oversight/audit", [], ("Cookie", cookie));
        }),
        new("cookie: report with a wrong antiforgery token", 400, "RequestVerificationToken", async t =>
        {
            var (cookie, _) = await t.SignedInOperatorAsync();
            return await t.SendAsync("POST", "/api/oversight/reports", Utf8(Period("2024-09-01T00:00:00Z", "2024-09-02T00:00:00Z")), ("Content-Type", "application/json"), ("Cookie", cookie), ("RequestVerificationToken", "forged"));
        }),
    ];
}
