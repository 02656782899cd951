using System.Text;
using Meterai.Gateway.Purchases;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using static Meterai.Gateway.Tests.Purchases.PurchaseRequests;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>What an invalid request is refused for: one error per field that is wrong, and only those.</summary>
public sealed class PurchaseRequestValidationTests
{
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
}
