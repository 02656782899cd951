using System.Net;
using System.Net.Sockets;
using System.Text;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>Every bad input the docs/api/gateway-api.md names: 400 problem+json naming the field, and nothing written or sent.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;

    public static TheoryData<string?, string, string> BadRequests() => new()
    {
        { null, """{"quantity":1,"applicantRef":"a"}""", "Idempotency-Key" },
        { "short", """{"quantity":1,"applicantRef":"a"}""", "Idempotency-Key" },
        { new string('k', 129), """{"quantity":1,"applicantRef":"a"}""", "Idempotency-Key" },
        { "bad key with spaces", """{"quantity":1,"applicantRef":"a"}""", "Idempotency-Key" },
        { "bad-key-!@#$%", """{"quantity":1,"applicantRef":"a"}""", "Idempotency-Key" },
        { "good-key-0001", """{"quantity":1,"applicantRef":"a" """, "body" },
        { "good-key-0002", "", "body" },
        { "good-key-0003", "[1,2]", "body" },
        { "good-key-0004", "\"text\"", "body" },
        { "good-key-0005", """{"quantity":1,"applicantRef":"\u3164"}""", "applicantRef" },
        { "good-key-0006", """{"quantity":0,"applicantRef":"a"}""", "quantity" },
        { "good-key-0007", """{"quantity":11,"applicantRef":"a"}""", "quantity" },
        { "good-key-0008", """{"quantity":1.5,"applicantRef":"a"}""", "quantity" },
        { "good-key-0009", """{"quantity":"2","applicantRef":"a"}""", "quantity" },
        { "good-key-0010", """{"applicantRef":"a"}""", "quantity" },
        { "good-key-0011", """{"quantity":null,"applicantRef":"a"}""", "quantity" },
        { "good-key-0012", """{"quantity":1}""", "applicantRef" },
        { "good-key-0013", """{"quantity":1,"applicantRef":""}""", "applicantRef" },
        { "good-key-0014", """{"quantity":1,"applicantRef":"   "}""", "applicantRef" },
        { "good-key-0015", "{\"quantity\":1,\"applicantRef\":\"" + new string('x', 65) + "\"}", "applicantRef" },
        { "good-key-0016", """{"quantity":1,"applicantRef":42}""", "applicantRef" },
        { "good-key-0017", """{"quantity":1,"applicantRef":"\u034f"}""", "applicantRef" },
        { "good-key-0018", """{"quantity":1,"applicantRef":"\u2800\u3000"}""", "applicantRef" },
    };

    public async Task InitializeAsync() => _gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>
    /// Issue 25: a client that ends its sending side (TCP half-close) after a body shorter than its
    /// Content-Length got no answer at all: Kestrel took the end of input for a client gone.
    /// </summary>
    [Fact]
    public async Task Purchase_ShortBodyThenHalfClose_Answered400NamingBody()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_gateway.BaseAddress.Host, _gateway.BaseAddress.Port);
        var head = "POST /api/purchases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nIdempotency-Key: half-close-0001\r\nContent-Length: 50\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head + """{"quantity":1,"appli"""));
        socket.Shutdown(SocketShutdown.Send);

        var answer = await ReceiveAllAsync(socket);

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains("\"errors\":{\"body\":", answer, StringComparison.Ordinal);
        Assert.Equal(0, await _gateway.CountPurchasesAsync());
    }

    /// <summary>A whole request, then the half-close: the client still gets the purchase it paid for.</summary>
    [Fact]
    public async Task Purchase_WholeBodyThenHalfClose_Answered201()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_gateway.BaseAddress.Host, _gateway.BaseAddress.Port);
        var body = """{"quantity":1,"applicantRef":"a"}""";
        var head = $"POST /api/purchases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nIdempotency-Key: half-close-0002\r\nContent-Length: {body.Length}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head + body));
        socket.Shutdown(SocketShutdown.Send);

        var answer = await ReceiveAllAsync(socket);

        Assert.StartsWith("HTTP/1.1 201 ", answer, StringComparison.Ordinal);
        Assert.Equal(1, _gateway.TotalOrders);
    }

    /// <summary>Everything until the server closes; a reset fails the test, since it can wipe an answer the client has not read yet.</summary>
    private static async Task<string> ReceiveAllAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<byte>();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
        {
            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.UTF8.GetString([.. received]);
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Purchase_BadInput_Returns400ProblemNamingFieldAndWritesNothing(string? key, string body, string field)
    {
        using var response = await _gateway.PurchaseRawAsync(key, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await GatewayHarness.JsonAsync(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"no error for '{field}' in {problem}");
        Assert.Contains(field, messages[0].GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(0, await _gateway.CountPurchasesAsync());
        Assert.Equal(0, _gateway.TotalOrders);
    }
}
