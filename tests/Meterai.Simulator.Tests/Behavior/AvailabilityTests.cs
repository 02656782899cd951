using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Meterai.Simulator.Tests.Testing;

namespace Meterai.Simulator.Tests.Behavior;

public sealed class AvailabilityTests
{
    [Fact]
    public async Task AnyRequest_WrongOrMissingApiKey_Returns401()
    {
        var options = new SimulatedDistributorOptions { Id = "t-auth", ApiKey = "s3cret-key", ServiceTime = TimeSpan.Zero };
        await using var sim = await SimulatorHarness.StartAsync(options);
        using var anonymous = SimulatorHarness.NewClient(sim.Distributor.BaseUrl);
        using var wrong = SimulatorHarness.NewClient(sim.Distributor.BaseUrl, bearer: "not-the-key");

        using var missingHealth = await anonymous.GetAsync(new Uri("health", UriKind.Relative));
        using var wrongStock = await wrong.GetAsync(new Uri("stock", UriKind.Relative));
        using var wrongState = await wrong.GetAsync(new Uri("_sim/state", UriKind.Relative));
        using var rightHealth = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        using var rightOrder = await sim.OrderAsync("k-auth");

        Assert.Equal(HttpStatusCode.Unauthorized, missingHealth.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongStock.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongState.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rightHealth.StatusCode);
        Assert.Equal(HttpStatusCode.Created, rightOrder.StatusCode);
        Assert.Equal(3, sim.Distributor.UnauthorizedRequests);
        Assert.DoesNotContain("s3cret-key", await wrongStock.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetDownAsync_RefuseConnections_ConnectionRefusedThenBackOnSamePort()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        var url = sim.Distributor.BaseUrl;
        using var warm = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);

        await sim.Distributor.SetDownAsync(DownMode.RefuseConnections);

        Assert.False(sim.Distributor.IsListening);
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => sim.Client.GetAsync(new Uri("health", UriKind.Relative)));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(ex.InnerException).SocketErrorCode);

        await sim.Distributor.SetDownAsync(DownMode.None);

        Assert.Equal(url, sim.Distributor.BaseUrl);
        using var back = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task Behavior_DownSetDirectly_StopsListenerWithoutSetDownAsync()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        sim.Distributor.Behavior.Down = DownMode.RefuseConnections;
        await Eventually.TrueAsync(() => !sim.Distributor.IsListening, "the listener down", TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<HttpRequestException>(() => sim.Client.GetAsync(new Uri("health", UriKind.Relative)));
        sim.Distributor.Behavior.Down = DownMode.None;
        await Eventually.TrueAsync(() => sim.Distributor.IsListening, "the listener back", TimeSpan.FromSeconds(10));
        using var back = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task StartAsync_StartsRefusingConnections_ListensLaterOnReservedPort()
    {
        var options = new SimulatedDistributorOptions
        {
            Id = "t-late",
            Behavior = new DistributorBehavior { Down = DownMode.RefuseConnections },
        };
        await using var sim = await SimulatorHarness.StartAsync(options);

        Assert.False(sim.Distributor.IsListening);
        Assert.NotEqual(0, sim.Distributor.BaseUrl.Port);
        await Assert.ThrowsAsync<HttpRequestException>(() => sim.Client.GetAsync(new Uri("health", UriKind.Relative)));

        await sim.Distributor.SetDownAsync(DownMode.None);

        using var health = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task StartAsync_StartsRefusingConnections_ReservesAPortTheKernelNeverHandsOutForPortZero()
    {
        var options = new SimulatedDistributorOptions
        {
            Id = "t-reserved",
            Behavior = new DistributorBehavior { Down = DownMode.RefuseConnections },
        };
        await using var sim = await SimulatorHarness.StartAsync(options);

        // Another listener asking for any free port (every test's Kestrel) can never be given this one.
        var ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(sim.Distributor.BaseUrl.Port, 1024, ephemeralLow - 1);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => sim.Client.GetAsync(new Uri("health", UriKind.Relative)));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
    }

    [Fact]
    public async Task AnyRequest_ServiceUnavailable_Returns503IncludingHealth()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());

        await sim.Distributor.SetDownAsync(DownMode.ServiceUnavailable);
        using var health = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        using var stock = await sim.Client.GetAsync(new Uri("stock", UriKind.Relative));
        using var order = await sim.OrderAsync("k-down");
        sim.Distributor.Behavior.Down = DownMode.None;
        using var healthAgain = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stock.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, order.StatusCode);
        Assert.Equal(0, sim.Distributor.OrdersCreated);
        Assert.Equal(HttpStatusCode.OK, healthAgain.StatusCode);
    }

    [Fact]
    public async Task Health_Flapping_AlternatesEachPeriodByTimeProvider()
    {
        var time = new FakeTimeProvider();
        var behavior = new DistributorBehavior { FlapPeriod = TimeSpan.FromSeconds(20) };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior, TimeSpan.Zero), time);

        var observed = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var health = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
            observed.Add(health.StatusCode);
            time.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], observed);
    }

    [Fact]
    public async Task Behavior_FlapPeriodSetAtRuntime_StartsHealthyThenFlapsAndStopsWhenZero()
    {
        var time = new FakeTimeProvider();
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(serviceTime: TimeSpan.Zero), time);
        time.Advance(TimeSpan.FromSeconds(7));

        sim.Distributor.Behavior.FlapPeriod = TimeSpan.FromSeconds(10);
        using var first = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        time.Advance(TimeSpan.FromSeconds(10));
        using var second = await sim.OrderAsync("k-flap");
        sim.Distributor.Behavior.FlapPeriod = TimeSpan.Zero;
        using var third = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task AnyRequest_Latency_AnswersAfterDelay()
    {
        var behavior = new DistributorBehavior { Latency = TimeSpan.FromMilliseconds(300) };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior));

        var started = TimeProvider.System.GetTimestamp();
        using var health = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(290));
    }

    [Fact]
    public async Task AnyRequest_LatencyPastClientTimeout_ClientTimesOut()
    {
        var behavior = new DistributorBehavior { Latency = TimeSpan.FromMinutes(5) };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior), clientTimeout: TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAsync<TaskCanceledException>(() => sim.Client.GetAsync(new Uri("health", UriKind.Relative)));
    }

    [Fact]
    public async Task PostOrder_IdleNoStock_HealthyStockZeroAnd409()
    {
        var behavior = new DistributorBehavior { Idle = IdleMode.NoStock };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior));

        using var health = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        var stock = await sim.Client.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("stock", UriKind.Relative));
        using var order = await sim.OrderAsync("k-idle");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0, stock.GetProperty("available").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, order.StatusCode);
        Assert.Equal(0, sim.Distributor.OrdersCreated);
    }

    [Fact]
    public async Task PostOrder_IdleRefuseOrders_StockShownAnd503WithRetryAfterNothingCharged()
    {
        var behavior = new DistributorBehavior { Idle = IdleMode.RefuseOrders };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior));
        var before = sim.Distributor.Stock;

        using var health = await sim.Client.GetAsync(new Uri("health", UriKind.Relative));
        var stock = await sim.Client.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("stock", UriKind.Relative));
        using var order = await sim.OrderAsync("k-refuse");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(stock.GetProperty("available").GetInt32() > 0);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, order.StatusCode);
        Assert.NotNull(order.Headers.RetryAfter);
        Assert.Equal(0, sim.Distributor.OrdersCreated);
        Assert.Equal(before, sim.Distributor.Stock);
        using var lookup = await sim.Client.GetAsync(new Uri("orders?idempotencyKey=k-refuse", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }
}
