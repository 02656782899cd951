using System.Text;
using Meterai.Gateway.Purchases;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>Purchase requests as the gateway receives them, and what <see cref="PurchaseRequest.ReadAsync"/> makes of them.</summary>
internal static class PurchaseRequests
{
    public const string Key = "purchase-key-0001";

    public static HttpRequest Request(string? body, StringValues key) => Request(body is null ? [] : Encoding.UTF8.GetBytes(body), key);

    public static HttpRequest Request(byte[] body, StringValues key)
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

    public static async Task<PurchaseRequest> ValidAsync(string body, string key = Key)
    {
        var (request, errors) = await PurchaseRequest.ReadAsync(Request(body, key), CancellationToken.None);
        Assert.Null(errors);
        Assert.NotNull(request);
        return request;
    }

    public static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpRequest httpRequest)
    {
        var (request, errors) = await PurchaseRequest.ReadAsync(httpRequest, CancellationToken.None);
        Assert.Null(request);
        Assert.NotNull(errors);
        Assert.All(errors.Values, messages => Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m))));
        return errors;
    }

    public static Task<Dictionary<string, string[]>> ErrorsAsync(string? body, StringValues key) => ErrorsAsync(Request(body, key));

    public static void AssertOnlyError(Dictionary<string, string[]> errors, string field)
    {
        var (name, messages) = Assert.Single(errors);
        Assert.Equal(field, name);
        Assert.NotEmpty(messages);
    }

    /// <summary>A body that arrives a few bytes per read, as a slow network delivers it.</summary>
    public sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(7, buffer.Length)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(7, count), cancellationToken);
    }
}
