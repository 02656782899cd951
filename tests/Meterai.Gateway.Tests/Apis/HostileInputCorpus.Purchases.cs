using static Meterai.Gateway.Tests.Apis.HostileCase;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>The corpus: POST /api/purchases (encodings, numbers, types, sizes, keys, media types, framing).</summary>
internal static partial class HostileInputCorpus
{
    private const string Key = "Idempotency-Key";
    private const string Ref = "applicantRef";
    private const string Quantity = "quantity";
    private const string Body = "body";
    private const string ContentType = "Content-Type";

    private static IEnumerable<HostileCase> PurchaseCases() =>
    [
        // Media types: only application/json (UTF-8).
        new("purchase: Content-Type text/plain", 415, ContentType, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "text/plain"), (Key, t.NewKey()))),
        new("purchase: no Content-Type", 415, ContentType, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (Key, t.NewKey()))),
        new("purchase: Content-Type application/xml", 415, ContentType, t => t.PurchaseBareAsync(Utf8("<quantity>1</quantity>"), (ContentType, "application/xml"), (Key, t.NewKey()))),
        new("purchase: JSON in latin1 charset", 415, ContentType, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json; charset=iso-8859-1"), (Key, t.NewKey()))),
        new("purchase: form-urlencoded", 415, ContentType, t => t.PurchaseBareAsync(Utf8("quantity=1&applicantRef=a"), (ContentType, "application/x-www-form-urlencoded"), (Key, t.NewKey()))),
        new("purchase: Content-Type twice", 415, ContentType, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (ContentType, "text/plain"), (Key, t.NewKey()))),
        new("purchase: JSON in UTF-16", 415, ContentType, t => t.PurchaseBareAsync(System.Text.Encoding.Unicode.GetBytes("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json; charset=utf-16"), (Key, t.NewKey()))),
        new("purchase: Content-Type application/jsonp", 415, ContentType, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/jsonp"), (Key, t.NewKey()))),
        new("purchase: Content-Type json-patch", 415, ContentType, t => t.PurchaseBareAsync(Utf8("""[{"op":"add","path":"/quantity","value":1}]"""), (ContentType, "application/json-patch+json"), (Key, t.NewKey()))),
        new("purchase: Accept text/html does not change a 415", 415, ContentType, t => t.PurchaseBareAsync(Utf8("x"), (ContentType, "text/plain"), (Key, t.NewKey()), ("Accept", "text/html"))),

        // Encodings: invalid UTF-8, lone surrogates, control and invisible characters.
        new("purchase: lone high surrogate escape", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"\ud800"}""")),
        new("purchase: lone low surrogate escape", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\udc00"}""")),
        new("purchase: surrogates in reverse order", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"\udc00\ud800"}""")),
        new("purchase: invalid UTF-8 byte in applicantRef", 400, Ref, t => t.PurchaseAsync(Bytes("""{"quantity":1,"applicantRef":"NIK""", [0xFF], "\"}"))),
        new("purchase: overlong UTF-8 in applicantRef", 400, Ref, t => t.PurchaseAsync(Bytes("""{"quantity":1,"applicantRef":"a""", [0xC0, 0xAF], "\"}"))),
        new("purchase: truncated UTF-8 sequence in applicantRef", 400, Ref, t => t.PurchaseAsync(Bytes("""{"quantity":1,"applicantRef":"a""", [0xE2, 0x82], "\"}"))),
        new("purchase: UTF-8 encoded surrogate in applicantRef", 400, Ref, t => t.PurchaseAsync(Bytes("""{"quantity":1,"applicantRef":"a""", [0xED, 0xA0, 0x80], "\"}"))),
        new("purchase: invalid UTF-8 in an ignored field", 400, Body, t => t.PurchaseAsync(Bytes("{\"quantity\":1,\"applicantRef\":\"a\",\"note\":\"", [0xFE], "\"}"))),
        new("purchase: invalid UTF-8 in a property name", 400, Body, t => t.PurchaseAsync(Bytes("{\"quantity\":1,\"applicantRef\":\"a\",\"", [0xFF, 0xFE], "\":1}"))),
        new("purchase: NUL escape in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\u0000123"}""")),
        new("purchase: tab escape in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\t123"}""")),
        new("purchase: newline escape in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\n123"}""")),
        new("purchase: ANSI escape in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"\u001b[31mNIK"}""")),
        new("purchase: DEL in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\u007f"}""")),
        new("purchase: C1 control in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\u0085"}""")),
        new("purchase: right-to-left override in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\u202e321"}""")),
        new("purchase: line separator in applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"NIK\u2028"}""")),
        new("purchase: lone surrogate escape in a member name", 400, Body, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"a","\udc1dx":1}""")),
        new("purchase: raw control byte inside a string", 400, Body, t => t.PurchaseAsync(Bytes("""{"quantity":1,"applicantRef":"a""", [0x01], "\"}"))),

        // Numbers and types.
        new("purchase: quantity 1e400", 400, Quantity, t => t.PurchaseAsync("""{"quantity":1e400,"applicantRef":"a"}""")),
        new("purchase: quantity -1", 400, Quantity, t => t.PurchaseAsync("""{"quantity":-1,"applicantRef":"a"}""")),
        new("purchase: quantity -0", 400, Quantity, t => t.PurchaseAsync("""{"quantity":-0,"applicantRef":"a"}""")),
        new("purchase: quantity 2^31", 400, Quantity, t => t.PurchaseAsync("""{"quantity":2147483648,"applicantRef":"a"}""")),
        new("purchase: quantity 1.0", 400, Quantity, t => t.PurchaseAsync("""{"quantity":1.0,"applicantRef":"a"}""")),
        new("purchase: quantity 1e0", 400, Quantity, t => t.PurchaseAsync("""{"quantity":1e0,"applicantRef":"a"}""")),
        new("purchase: quantity true", 400, Quantity, t => t.PurchaseAsync("""{"quantity":true,"applicantRef":"a"}""")),
        new("purchase: quantity array", 400, Quantity, t => t.PurchaseAsync("""{"quantity":[1],"applicantRef":"a"}""")),
        new("purchase: quantity object", 400, Quantity, t => t.PurchaseAsync("""{"quantity":{"value":1},"applicantRef":"a"}""")),
        new("purchase: quantity NaN", 400, Body, t => t.PurchaseAsync("""{"quantity":NaN,"applicantRef":"a"}""")),
        new("purchase: quantity hexadecimal", 400, Body, t => t.PurchaseAsync("""{"quantity":0x01,"applicantRef":"a"}""")),
        new("purchase: quantity twice", 400, Quantity, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"a","quantity":10}""")),
        new("purchase: applicantRef twice", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"a","applicantRef":"b"}""")),
        new("purchase: empty applicantRef", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":""}""")),
        new("purchase: applicantRef of a Hangul filler", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"\u3164"}""")),
        new("purchase: applicantRef of a combining mark alone", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"\u034f\u0301"}""")),
        new("purchase: applicantRef of ideographic spaces", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"\u3000\u3000"}""")),
        new("purchase: applicantRef null", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":null}""")),
        new("purchase: applicantRef array", 400, Ref, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":["a"]}""")),
        new("purchase: applicantRef of 65 two-byte letters", 400, Ref, t => t.PurchaseAsync("{\"quantity\":1,\"applicantRef\":\"" + new string('é', 65) + "\"}")),
        new("purchase: applicantRef of 33 emoji (66 UTF-16 units)", 400, Ref, t => t.PurchaseAsync("{\"quantity\":1,\"applicantRef\":\"" + string.Concat(Enumerable.Repeat("😀", 33)) + "\"}")),
        new("purchase: empty object", 400, Quantity, t => t.PurchaseAsync("{}")),
        new("purchase: JSON null", 400, Body, t => t.PurchaseAsync("null")),
        new("purchase: JSON number", 400, Body, t => t.PurchaseAsync("42")),

        // Syntax and sizes.
        new("purchase: trailing comma", 400, Body, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"a",}""")),
        new("purchase: single quotes", 400, Body, t => t.PurchaseAsync("{'quantity':1,'applicantRef':'a'}")),
        new("purchase: comment", 400, Body, t => t.PurchaseAsync("""{"quantity":1,/* x */"applicantRef":"a"}""")),
        new("purchase: two objects", 400, Body, t => t.PurchaseAsync("""{"quantity":1,"applicantRef":"a"}{"quantity":2}""")),
        new("purchase: nested 1000 deep", 400, Body, t => t.PurchaseAsync(new string('[', 1000) + new string(']', 1000))),
        new("purchase: 5000-byte body", 413, Body, t => t.PurchaseAsync("{\"quantity\":1,\"applicantRef\":\"a\",\"pad\":\"" + new string('x', 5000) + "\"}")),
        new("purchase: empty body", 400, Body, t => t.PurchaseAsync("")),
        new("purchase: 100 KB body", 413, Body, t => t.PurchaseAsync("{\"quantity\":1,\"applicantRef\":\"a\",\"pad\":\"" + new string('x', 100_000) + "\"}")),
        new("purchase: chunked body over 4096 bytes", 413, Body, t => t.PurchaseAsync(Chunked("{\"quantity\":1,\"applicantRef\":\"" + new string('x', 5000) + "\"}"), ("Transfer-Encoding", "chunked"))),
        new("purchase: Content-Length of 2^63", 413, Body, t => t.PurchaseAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), ("Content-Length", "9223372036854775807"))),

        // Framing: a body shorter than its Content-Length.
        new("purchase: body shorter than Content-Length", 400, Body, t => t.PurchaseAsync(Utf8("""{"quantity":1,"applicant"""), ("Content-Length", "200"))),
        new("purchase: body shorter than Content-Length, then half-close", 400, Body, t => t.PurchaseThenHalfCloseAsync(Utf8("""{"quantity":1,"appli"""), 50)),
        new("purchase: headers only, then half-close", 400, Body, t => t.PurchaseThenHalfCloseAsync([], 33)),
        new("purchase: Content-Length with no body at all", 400, Body, t => t.PurchaseAsync([], ("Content-Length", "31"))),

        // Keys.
        new("purchase: no Idempotency-Key", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"))),
        new("purchase: empty Idempotency-Key", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, ""))),
        new("purchase: Idempotency-Key of 7", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, "abcdefg"))),
        new("purchase: Idempotency-Key of 129", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, new string('k', 129)))),
        new("purchase: Idempotency-Key twice", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, "corpus-dup-00000001"), (Key, "corpus-dup-00000002"))),
        new("purchase: Idempotency-Key with a comma", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, "corpus-key,other-key"))),
        new("purchase: Idempotency-Key with a tab inside", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, "corpus\tkey-0001"))),
        new("purchase: Idempotency-Key of 10 KB", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, new string('k', 10_000)))),
        new("purchase: Idempotency-Key with SQL", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), (Key, "x'; DROP TABLE purchases; --"))),
        new("purchase: Accept text/html with a bad quantity", 400, Quantity, t => t.PurchaseAsync(Utf8("""{"quantity":0,"applicantRef":"a"}"""), ("Accept", "text/html"))),
        new("purchase: Accept application/xml with no key", 400, Key, t => t.PurchaseBareAsync(Utf8("""{"quantity":1,"applicantRef":"a"}"""), (ContentType, "application/json"), ("Accept", "application/xml"))),
    ];

    /// <summary>The body as one chunk and the last chunk (Transfer-Encoding: chunked).</summary>
    private static byte[] Chunked(string body)
    {
        var bytes = Utf8(body);
        return [.. Utf8($"{bytes.Length:x}\r\n"), .. bytes, .. Utf8("\r\n0\r\n\r\n")];
    }
}
