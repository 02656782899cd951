using System.Security.Cryptography;
using System.Text;
using Meterai.Gateway.Purchases;
using Microsoft.AspNetCore.Http;
using static Meterai.Gateway.Tests.Purchases.PurchaseRequests;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>What a valid request reads as: its fields, its canonical body and hash, at the edges of what is allowed.</summary>
public sealed class PurchaseRequestTests
{
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
}
