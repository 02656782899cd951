using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Meterai.Simulator.Tests.Testing;

namespace Meterai.Simulator.Tests;

public sealed class FleetTests
{
    [Fact]
    public async Task ToRegistryJson_Fleet_ListsEveryDistributorAndOmitsNullApiKey()
    {
        await using var fleet = await SimulatedFleet.StartAsync(
        [
            new SimulatedDistributorOptions { Id = "a", Name = "PT A", Capacity = 7 },
            new SimulatedDistributorOptions { Id = "b", Name = "PT B", ApiKey = "key-b" },
        ]);

        using var registry = JsonDocument.Parse(fleet.ToRegistryJson());

        var entries = registry.RootElement.GetProperty("distributors").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("a", entries[0].GetProperty("id").GetString());
        Assert.Equal("PT A", entries[0].GetProperty("name").GetString());
        Assert.Equal(fleet["a"].BaseUrl.ToString(), entries[0].GetProperty("baseUrl").GetString());
        Assert.Equal(7, entries[0].GetProperty("maxConcurrency").GetInt32());
        Assert.False(entries[0].TryGetProperty("apiKey", out _));
        Assert.Equal("key-b", entries[1].GetProperty("apiKey").GetString());
        Assert.StartsWith("http://127.0.0.1:", fleet["b"].BaseUrl.ToString(), StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => fleet["c"]);
    }

    [Fact]
    public async Task StartAsync_DuplicateIds_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => SimulatedFleet.StartAsync(
        [
            new SimulatedDistributorOptions { Id = "a" },
            new SimulatedDistributorOptions { Id = "a" },
        ]));
    }

    [Fact]
    public async Task DemoFleet_Started_HasTenSellersAndSixteenIdle()
    {
        var options = DemoFleet.Create();
        Assert.Equal(DemoFleet.Registered, options.Count);
        Assert.Equal(DemoFleet.Registered, options.Select(o => o.Id).Distinct().Count());
        Assert.All(options, o => Assert.StartsWith("PT ", o.Name, StringComparison.Ordinal));
        Assert.Single(options, o => o.ApiKey is not null);

        await using var fleet = await SimulatedFleet.StartAsync(options);

        var healthyWithStock = 0;
        foreach (var d in fleet.Distributors)
        {
            if (!d.IsListening)
            {
                continue;
            }

            using var client = SimulatorHarness.NewClient(d.BaseUrl, d.Options.ApiKey);
            using var health = await client.GetAsync(new Uri("health", UriKind.Relative));
            var stock = await client.GetFromJsonAsync<JsonElement>(new Uri("stock", UriKind.Relative));
            if (health.StatusCode == HttpStatusCode.OK && stock.GetProperty("available").GetInt32() > 0 && d.Behavior.Idle == IdleMode.None && d.Behavior.FlapPeriod == TimeSpan.Zero)
            {
                healthyWithStock++;
            }
        }

        Assert.Equal(DemoFleet.Selling, healthyWithStock);
        Assert.Equal(4, fleet.Distributors.Count(d => !d.IsListening));
        Assert.Equal(IdleMode.RefuseOrders, fleet["d14"].Behavior.Idle);
        Assert.Equal(0, fleet["d16"].Stock);
        Assert.Equal(TimeSpan.FromSeconds(20), fleet["d24"].Behavior.FlapPeriod);
        Assert.All(fleet.Distributors.Take(DemoFleet.Selling), d => Assert.InRange(d.Options.Capacity, 16, 64));
    }

    [Fact]
    public void DemoFleet_BasePort_AssignsConsecutivePorts()
    {
        var options = DemoFleet.Create(basePort: 9001);

        Assert.Equal(9001, options[0].Port);
        Assert.Equal(9026, options[25].Port);
    }

    [Fact]
    public async Task SimBehavior_Put_ChangesSwitchesAndStateHidesApiKey()
    {
        var options = new SimulatedDistributorOptions { Id = "t-ctl", ApiKey = "hidden-key", ServiceTime = TimeSpan.Zero };
        await using var sim = await SimulatorHarness.StartAsync(options);

        using var put = await sim.Client.PutAsync(
            new Uri("_sim/behavior", UriKind.Relative),
            new StringContent("""{"down":"ServiceUnavailable","latency":"00:00:00.010","chargeThenFailOrderStatus":"Pending","stuckPendingOutcome":"failed","stock":5}""", Encoding.UTF8, "application/json"));
        var stateText = await sim.Client.GetStringAsync(new Uri("_sim/state", UriKind.Relative));
        using var health = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(DownMode.ServiceUnavailable, sim.Distributor.Behavior.Down);
        Assert.Equal(TimeSpan.FromMilliseconds(10), sim.Distributor.Behavior.Latency);
        Assert.Equal(OrderStatus.Pending, sim.Distributor.Behavior.ChargeThenFailOrderStatus);
        Assert.Equal(OrderStatus.Failed, sim.Distributor.Behavior.StuckPendingOutcome);
        Assert.Equal(5, sim.Distributor.Stock);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.DoesNotContain("hidden-key", stateText, StringComparison.Ordinal);
        using var state = JsonDocument.Parse(stateText);
        Assert.Equal("t-ctl", state.RootElement.GetProperty("id").GetString());
        Assert.True(state.RootElement.GetProperty("requiresApiKey").GetBoolean());
        Assert.Equal("ServiceUnavailable", state.RootElement.GetProperty("behavior").GetProperty("down").GetString());
    }

    [Fact]
    public async Task SimBehavior_PutInvalidValue_Returns400AndChangesNothing()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        using var put = await sim.Client.PutAsync(
            new Uri("_sim/behavior", UriKind.Relative),
            new StringContent("""{"idle":"NoStock","chargeThenFailRate":2}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(IdleMode.None, sim.Distributor.Behavior.Idle);
    }

    [Fact]
    public async Task SimBehavior_PutRefuseConnections_StopsListener()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        using var put = await sim.Client.PutAsync(
            new Uri("_sim/behavior", UriKind.Relative),
            new StringContent("""{"down":"RefuseConnections"}""", Encoding.UTF8, "application/json"));
        await Eventually.TrueAsync(() => !sim.Distributor.IsListening, "the listener down", TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => sim.Client.GetAsync(new Uri("health", UriKind.Relative)));
    }

    [Fact]
    public void OrderStatus_Serialized_IsLowerCase()
    {
        Assert.Equal("\"refunded\"", JsonSerializer.Serialize(OrderStatus.Refunded));
        Assert.Equal(OrderStatus.Pending, JsonSerializer.Deserialize<OrderStatus>("\"pending\""));
    }
}
