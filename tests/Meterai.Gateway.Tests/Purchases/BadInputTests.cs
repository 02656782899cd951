using System.Net;
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
