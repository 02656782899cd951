using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>Gateway spec: no key or an unknown key is 401; a regulator key on an operator endpoint is 403.</summary>
public sealed class ApiKeyAuthTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    public static TheoryData<string, string?, HttpStatusCode> Matrix => new()
    {
        { "read", null, HttpStatusCode.Unauthorized },
        { "act", null, HttpStatusCode.Unauthorized },
        { "read", OversightKeys.Unknown, HttpStatusCode.Unauthorized },
        { "act", OversightKeys.Unknown, HttpStatusCode.Unauthorized },
        { "read", OversightKeys.Regulator, HttpStatusCode.OK },
        { "act", OversightKeys.Regulator, HttpStatusCode.Forbidden },
        { "read", OversightKeys.RegulatorHashed, HttpStatusCode.OK },
        { "act", OversightKeys.RegulatorHashed, HttpStatusCode.Forbidden },
        { "read", OversightKeys.Operator, HttpStatusCode.OK },
        { "act", OversightKeys.Operator, HttpStatusCode.OK },
        { "read", OversightKeys.OperatorHashed, HttpStatusCode.OK },
        { "act", OversightKeys.OperatorHashed, HttpStatusCode.OK },
    };

    private GatewayHarness Gateway => fixture.Gateway;

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task OversightEndpoint_KeyInHeader_AnswersByRole(string endpoint, string? key, HttpStatusCode expected)
    {
        using var response = await SendAsync(endpoint, key);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
            Assert.StartsWith("urn:meterai-gateway:problem:", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ReadEndpoint_NoKey_401NamesTheHeader()
    {
        using var response = await SendAsync("read", key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("X-Api-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadEndpoint_TwoKeyHeaders_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, OversightEndpoints.ReadApi);
        request.Headers.TryAddWithoutValidation("X-Api-Key", [OversightKeys.Regulator, OversightKeys.Operator]);

        using var response = await Gateway.RawClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ReadEndpoint_HashOfKeyPresentedAsKey_401()
    {
        // A leaked configuration with sha256: entries must not be usable as keys.
        using var response = await SendAsync("read", OversightKeys.Sha256Hex(OversightKeys.RegulatorHashed));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PublicEndpoints_NoKey_NotAffected()
    {
        using var status = await Gateway.RawClient.GetAsync("/api/status");
        using var health = await Gateway.RawClient.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(string endpoint, string? key)
    {
        var request = endpoint == "read"
            ? new HttpRequestMessage(HttpMethod.Get, OversightEndpoints.ReadApi)
            : new HttpRequestMessage(HttpMethod.Post, OversightEndpoints.ActApi);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return Gateway.RawClient.SendAsync(request);
    }
}
