using System.Security.Cryptography;
using System.Text;
using Meterai.Gateway.Purchases;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Meterai.Gateway.Tests.Purchases;

public sealed class PurchaseRequestTests
{
    private const string Key = "purchase-key-0001";

    private static HttpRequest Request(string? body, StringValues key) => Request(body is null ? [] : Encoding.UTF8.GetBytes(body), key);

    private static HttpRequest Request(byte[] body, StringValues key)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(body);
        if (!StringValues.IsNullOrEmpty(key))
        {
            context.Request.Headers[PurchaseRequest.IdempotencyKeyHeader] = key;
        }

        return context.Request;
    }

    private static async Task<PurchaseRequest> ValidAsync(string body, string key = Key)
    {
        var (request, errors) = await PurchaseRequest.ReadAsync(Request(body, key), CancellationToken.None);
        Assert.Null(errors);
        Assert.NotNull(request);
        return request;
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpRequest httpRequest)
    {
        var (request, errors) = await PurchaseRequest.ReadAsync(httpRequest, CancellationToken.None);
        Assert.Null(request);
        Assert.NotNull(errors);
        Assert.All(errors.Values, messages => Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m))));
        return errors;
    }

    private static Task<Dictionary<string, string[]>> ErrorsAsync(string? body, StringValues key) => ErrorsAsync(Request(body, key));

    private static void AssertOnlyError(Dictionary<string, string[]> errors, string field)
    {
        var (name, messages) = Assert.Single(errors);
        Assert.Equal(field, name);
        Assert.NotEmpty(messages);
    }

    [Fact]
    public async Task ReadAsync_ValidRequest_ReturnsFieldsAndCanonicalBody()
    {
        var request = await ValidAsync("""{ "applicantRef" : "x",  "quantity" : 2 }""");

        Assert.Equal(Key, request.IdempotencyKey);
        Assert.Equal(2, request.Quantity);
        Assert.Equal("x", request.ApplicantRef);
        Assert.Equal("""{"quantity":2,"applicantRef":"x"}""", Encoding.UTF8.GetString(request.CanonicalBody));
    }

    [Fact]
    public async Task ReadAsync_ValidRequest_HashIsLowerHexSha256OfCanonicalBody()
    {
        var request = await ValidAsync("""{"quantity":2,"applicantRef":"x"}""");

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("""{"quantity":2,"applicantRef":"x"}""")));
        Assert.Equal(expected, request.Hash);
    }

    [Theory]
    [InlineData("""{"quantity":2,"applicantRef":"x"}""")]
    [InlineData("""{"applicantRef":"x","quantity":2}""")]
    [InlineData("  {\n\t\"quantity\" :  2 ,\r\n \"applicantRef\":\"x\"\n}\n  ")]
    [InlineData("""{"quantity":2,"applicantRef":"x","note":"ignored","extra":{"a":[1,2]}}""")]
    [InlineData("""{"colour":null,"applicantRef":"\u0078","quantity":2}""")]
    public async Task ReadAsync_EquivalentBodies_SameCanonicalBodyAndHash(string body)
    {
        var reference = await ValidAsync("""{"quantity":2,"applicantRef":"x"}""");

        var request = await ValidAsync(body);

        Assert.Equal(reference.CanonicalBody, request.CanonicalBody);
        Assert.Equal(reference.Hash, request.Hash);
    }

    [Fact]
    public async Task ReadAsync_DifferentQuantity_DifferentHash()
    {
        var two = await ValidAsync("""{"quantity":2,"applicantRef":"x"}""");
        var three = await ValidAsync("""{"quantity":3,"applicantRef":"x"}""");

        Assert.NotEqual(two.Hash, three.Hash);
    }

    [Fact]
    public async Task ReadAsync_DifferentApplicantRef_DifferentHash()
    {
        var x = await ValidAsync("""{"quantity":2,"applicantRef":"x"}""");
        var y = await ValidAsync("""{"quantity":2,"applicantRef":"y"}""");

        Assert.NotEqual(x.Hash, y.Hash);
    }

    [Fact]
    public async Task ReadAsync_SameBodyDifferentKey_SameHash()
    {
        var first = await ValidAsync("""{"quantity":2,"applicantRef":"x"}""", "key-aaaaaaaa");
        var second = await ValidAsync("""{"quantity":2,"applicantRef":"x"}""", "key-bbbbbbbb");

        Assert.Equal(first.Hash, second.Hash);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public async Task ReadAsync_QuantityAtBounds_Accepted(int quantity)
    {
        var request = await ValidAsync($$"""{"quantity":{{quantity}},"applicantRef":"x"}""");

        Assert.Equal(quantity, request.Quantity);
    }

    [Theory]
    [InlineData("abcdefgh")]
    [InlineData("ABC-def_0123")]
    [InlineData("________")]
    public async Task ReadAsync_KeyOfAllowedCharacters_Accepted(string key)
    {
        var request = await ValidAsync("""{"quantity":1,"applicantRef":"x"}""", key);

        Assert.Equal(key, request.IdempotencyKey);
    }

    [Fact]
    public async Task ReadAsync_KeyOf128Characters_Accepted()
    {
        var key = new string('k', 128);

        var request = await ValidAsync("""{"quantity":1,"applicantRef":"x"}""", key);

        Assert.Equal(key, request.IdempotencyKey);
    }

    [Fact]
    public async Task ReadAsync_ApplicantRefOf64Characters_Accepted()
    {
        var applicantRef = new string('r', 64);

        var request = await ValidAsync($$"""{"quantity":1,"applicantRef":"{{applicantRef}}"}""");

        Assert.Equal(applicantRef, request.ApplicantRef);
    }

    [Fact]
    public async Task ReadAsync_BodyOfExactlyMaxBytes_Accepted()
    {
        var body = """{"quantity":1,"applicantRef":"x"}""";
        body = body.PadRight(PurchaseRequest.MaxBodyBytes, ' ');
        Assert.Equal(PurchaseRequest.MaxBodyBytes, Encoding.UTF8.GetByteCount(body));

        var request = await ValidAsync(body);

        Assert.Equal(1, request.Quantity);
    }

    [Fact]
    public async Task ReadAsync_BodyArrivingInSmallReads_ReadCompletely()
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = new TrickleStream(Encoding.UTF8.GetBytes("""{"quantity":4,    "applicantRef":"trickled-ref"}"""));
        context.Request.Headers[PurchaseRequest.IdempotencyKeyHeader] = Key;

        var (request, errors) = await PurchaseRequest.ReadAsync(context.Request, CancellationToken.None);

        Assert.Null(errors);
        Assert.NotNull(request);
        Assert.Equal(4, request.Quantity);
        Assert.Equal("trickled-ref", request.ApplicantRef);
    }

    [Fact]
    public async Task ReadAsync_MissingKey_ErrorOnIdempotencyKey()
    {
        var errors = await ErrorsAsync("""{"quantity":1,"applicantRef":"x"}""", StringValues.Empty);

        AssertOnlyError(errors, "Idempotency-Key");
    }

    [Fact]
    public async Task ReadAsync_EmptyKey_ErrorOnIdempotencyKey()
    {
        var request = Request("""{"quantity":1,"applicantRef":"x"}""", StringValues.Empty);
        request.Headers[PurchaseRequest.IdempotencyKeyHeader] = "";

        var errors = await ErrorsAsync(request);

        AssertOnlyError(errors, "Idempotency-Key");
    }

    [Theory]
    [InlineData("abcdefg")] // 7 characters
    [InlineData("key with space")]
    [InlineData("key.with.dots")]
    [InlineData("key/with/slash")]
    [InlineData("key+plus+sign")]
    [InlineData("kéy-ünicode")]
    [InlineData("key-one, key-two")]
    [InlineData(" padded-key ")]
    public async Task ReadAsync_MalformedKey_ErrorOnIdempotencyKey(string key)
    {
        var errors = await ErrorsAsync("""{"quantity":1,"applicantRef":"x"}""", key);

        AssertOnlyError(errors, "Idempotency-Key");
    }

    [Fact]
    public async Task ReadAsync_KeyOf129Characters_ErrorOnIdempotencyKey()
    {
        var errors = await ErrorsAsync("""{"quantity":1,"applicantRef":"x"}""", new string('k', 129));

        AssertOnlyError(errors, "Idempotency-Key");
    }

    [Fact]
    public async Task ReadAsync_TwoKeyHeaderValues_ErrorOnIdempotencyKey()
    {
        var errors = await ErrorsAsync("""{"quantity":1,"applicantRef":"x"}""", new StringValues(["key-aaaaaaaa", "key-bbbbbbbb"]));

        AssertOnlyError(errors, "Idempotency-Key");
    }

    [Fact]
    public async Task ReadAsync_TwoIdenticalKeyHeaderValues_ErrorOnIdempotencyKey()
    {
        var errors = await ErrorsAsync("""{"quantity":1,"applicantRef":"x"}""", new StringValues([Key, Key]));

        AssertOnlyError(errors, "Idempotency-Key");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("\"2\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[2]")]
    [InlineData("{}")]
    [InlineData("99999999999999999999")]
    public async Task ReadAsync_InvalidQuantity_ErrorOnQuantity(string quantity)
    {
        var errors = await ErrorsAsync($$"""{"quantity":{{quantity}},"applicantRef":"x"}""", Key);

        AssertOnlyError(errors, "quantity");
    }

    [Theory]
    [InlineData("""{"applicantRef":"x"}""")]
    [InlineData("""{"Quantity":2,"applicantRef":"x"}""")]
    public async Task ReadAsync_MissingQuantity_ErrorOnQuantity(string body)
    {
        var errors = await ErrorsAsync(body, Key);

        AssertOnlyError(errors, "quantity");
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\" \"")]
    [InlineData("\"\\t\\n \"")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("[\"x\"]")]
    [InlineData("{\"ref\":\"x\"}")]
    public async Task ReadAsync_InvalidApplicantRef_ErrorOnApplicantRef(string applicantRef)
    {
        var errors = await ErrorsAsync($$"""{"quantity":2,"applicantRef":{{applicantRef}}}""", Key);

        AssertOnlyError(errors, "applicantRef");
    }

    [Fact]
    public async Task ReadAsync_ApplicantRefOf65Characters_ErrorOnApplicantRef()
    {
        var errors = await ErrorsAsync($$"""{"quantity":2,"applicantRef":"{{new string('r', 65)}}"}""", Key);

        AssertOnlyError(errors, "applicantRef");
    }

    [Theory]
    [InlineData("""{"quantity":2}""")]
    [InlineData("""{"quantity":2,"applicantref":"x"}""")]
    public async Task ReadAsync_MissingApplicantRef_ErrorOnApplicantRef(string body)
    {
        var errors = await ErrorsAsync(body, Key);

        AssertOnlyError(errors, "applicantRef");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"quantity\":2,")]
    [InlineData("{\"quantity\":2,\"applicantRef\":\"x\"} trailing")]
    [InlineData("[]")]
    [InlineData("[{\"quantity\":2,\"applicantRef\":\"x\"}]")]
    [InlineData("\"quantity\"")]
    [InlineData("2")]
    [InlineData("null")]
    public async Task ReadAsync_BodyMissingOrNotAnObject_ErrorOnBodyOnly(string? body)
    {
        var errors = await ErrorsAsync(body, Key);

        AssertOnlyError(errors, "body");
    }

    [Fact]
    public async Task ReadAsync_BodyLargerThanMaxBytes_ErrorOnBody()
    {
        var body = """{"quantity":1,"applicantRef":"x"}""".PadRight(PurchaseRequest.MaxBodyBytes + 1, ' ');

        var errors = await ErrorsAsync(body, Key);

        AssertOnlyError(errors, "body");
        Assert.Contains(PurchaseRequest.MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), errors["body"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_BodyMuchLargerThanMaxBytesInSmallReads_ErrorOnBody()
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = new TrickleStream(Encoding.UTF8.GetBytes(new string(' ', 100_000)));
        context.Request.Headers[PurchaseRequest.IdempotencyKeyHeader] = Key;

        var errors = await ErrorsAsync(context.Request);

        AssertOnlyError(errors, "body");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=utf-16")]
    public async Task ReadAsync_NotJsonContentType_ErrorOnContentTypeOnly(string? contentType)
    {
        var request = Request("""{"quantity":1,"applicantRef":"a"}""", Key);
        request.ContentType = contentType;

        var errors = await ErrorsAsync(request);

        AssertOnlyError(errors, "Content-Type");
    }

    [Theory]
    [InlineData("""{"quantity":1,"applicantRef":"\ud800"}""")]
    [InlineData("""{"quantity":1,"applicantRef":"NIK\u0000"}""")]
    [InlineData("""{"quantity":1,"applicantRef":"a","applicantRef":"b"}""")]
    public async Task ReadAsync_UnreadableOrUnprintableApplicantRef_ErrorOnApplicantRef(string body)
    {
        var errors = await ErrorsAsync(body, Key);

        AssertOnlyError(errors, "applicantRef");
    }

    [Fact]
    public async Task ReadAsync_KeyQuantityAndApplicantRefAllWrong_ReportsAllThree()
    {
        var errors = await ErrorsAsync("""{"quantity":0,"applicantRef":""}""", "short");

        Assert.Equal(["Idempotency-Key", "applicantRef", "quantity"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_QuantityAndApplicantRefMissing_ReportsBoth()
    {
        var errors = await ErrorsAsync("{}", Key);

        Assert.Equal(["applicantRef", "quantity"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_MissingKeyAndBadBody_ReportsBoth()
    {
        var errors = await ErrorsAsync("not json", StringValues.Empty);

        Assert.Equal(["Idempotency-Key", "body"], errors.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>A body that arrives a few bytes per read, as a slow network delivers it.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(7, buffer.Length)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(7, count), cancellationToken);
    }
}
