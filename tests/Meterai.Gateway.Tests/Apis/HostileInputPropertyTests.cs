using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck.Xunit;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>One real gateway for the property tests, with an operator key for the report endpoint.</summary>
public sealed class PropertyGatewayFixture : IAsyncLifetime
{
    internal GatewayHarness Gateway { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>
/// Random JSON and random bytes at POST /api/purchases and POST /api/oversight/reports: never a
/// 5xx, and every refusal is problem+json naming fields the endpoint has. Run counts are modest
/// (each case is a real HTTP request), so the four properties take seconds.
/// </summary>
public sealed class HostileInputPropertyTests(PropertyGatewayFixture fixture) : IClassFixture<PropertyGatewayFixture>
{
    private static readonly string[] PurchaseFields = ["body", "quantity", "applicantRef", "Idempotency-Key"];
    private static readonly string[] ReportFields = ["body", "from", "to"];
    private static int _keys;

    [Property(Arbitrary = [typeof(HostileArbitraries)], MaxTest = 150)]
    public void Purchase_RandomJson_NeverA5xxAndRefusalsNameFields(RandomJson json) =>
        AssertAnswer(Purchase(Encoding.UTF8.GetBytes(json.Text)), PurchaseFields, json.Text);

    [Property(Arbitrary = [typeof(HostileArbitraries)], MaxTest = 100)]
    public void Purchase_RandomBytes_NeverA5xxAndRefusalsNameFields(RandomBytes body) =>
        AssertAnswer(Purchase(body.Bytes), PurchaseFields, body.ToString());

    [Property(Arbitrary = [typeof(HostileArbitraries)], MaxTest = 150)]
    public void Report_RandomJson_NeverA5xxAndRefusalsNameFields(RandomJson json) =>
        AssertAnswer(Report(Encoding.UTF8.GetBytes(json.Text)), ReportFields, json.Text);

    [Property(Arbitrary = [typeof(HostileArbitraries)], MaxTest = 100)]
    public void Report_RandomBytes_NeverA5xxAndRefusalsNameFields(RandomBytes body) =>
        AssertAnswer(Report(body.Bytes), ReportFields, body.ToString());

    private HttpResponseMessage Purchase(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases") { Content = Json(body) };
        request.Headers.Add("Idempotency-Key", $"property-key-{Interlocked.Increment(ref _keys):D8}");
        return fixture.Gateway.Client.Send(request);
    }

    private HttpResponseMessage Report(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/oversight/reports") { Content = Json(body) };
        request.Headers.Add("X-Api-Key", OversightKeys.Operator);
        return fixture.Gateway.Client.Send(request);
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static void AssertAnswer(HttpResponseMessage response, string[] fields, string sent)
    {
        using (response)
        {
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{status} for {sent}");
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            using var problem = JsonDocument.Parse(response.Content.ReadAsStream());
            Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
            var named = problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
            Assert.NotEmpty(named);
            Assert.All(named, name => Assert.Contains(name, fields));
        }
    }
}
