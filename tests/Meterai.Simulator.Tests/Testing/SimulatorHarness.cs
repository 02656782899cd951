using System.Net.Http.Json;
using System.Text.Json;

namespace Meterai.Simulator.Tests.Testing;

/// <summary>One real distributor on a loopback ephemeral port, and a real HttpClient pointed at it.</summary>
internal sealed class SimulatorHarness : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private SimulatorHarness(SimulatedFleet fleet, string? bearer, TimeSpan timeout)
    {
        Fleet = fleet;
        Distributor = fleet.Distributors[0];
        Client = NewClient(Distributor.BaseUrl, bearer, timeout);
    }

    public SimulatedFleet Fleet { get; }

    public SimulatedDistributor Distributor { get; }

    public HttpClient Client { get; }

    public static async Task<SimulatorHarness> StartAsync(
        SimulatedDistributorOptions options, TimeProvider? time = null, Random? random = null, TimeSpan? clientTimeout = null)
    {
        var fleet = await SimulatedFleet.StartAsync([options], time, random ?? new Random(1234));
        return new SimulatorHarness(fleet, options.ApiKey, clientTimeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>Fast defaults for tests: 5 ms service time, id t01.</summary>
    /// <param name="serviceTime">Zero for a distributor on a FakeTimeProvider, whose delays end only when the test advances it.</param>
    public static SimulatedDistributorOptions Options(DistributorBehavior? behavior = null, TimeSpan? serviceTime = null) => new()
    {
        Id = "t01",
        Name = "PT Uji Coba",
        ServiceTime = serviceTime ?? TimeSpan.FromMilliseconds(5),
        Behavior = behavior ?? new DistributorBehavior(),
    };

    public static HttpClient NewClient(Uri baseUrl, string? bearer = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = baseUrl,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        return client;
    }

    public Task<HttpResponseMessage> OrderAsync(string? key, int quantity = 1, string applicantRef = "APP-1") =>
        PostOrderAsync(key, JsonContent.Create(new { quantity, applicantRef }));

    public Task<HttpResponseMessage> PostOrderAsync(string? key, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = content };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return Client.SendAsync(request);
    }

    public async Task<JsonElement> LookupByKeyAsync(string key)
    {
        using var response = await Client.GetAsync(new Uri($"orders?idempotencyKey={Uri.EscapeDataString(key)}", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await ReadAsync(response);
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).Clone();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Fleet.DisposeAsync();
    }
}
