using System.Net;
using Meterai.Simulator.Tests.Testing;

namespace Meterai.Simulator.Tests.Behavior;

public sealed class FailureModeTests
{
    [Fact]
    public async Task PostOrder_PastCollapseWithReject503_Answers503RetryAfterAndTracksConcurrency()
    {
        var options = new SimulatedDistributorOptions
        {
            Id = "t-overload",
            Capacity = 2,
            CollapseFactor = 2,
            ServiceTime = TimeSpan.FromMilliseconds(400),
        };
        await using var sim = await SimulatorHarness.StartAsync(options);
        var before = sim.Distributor.Stock;

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => sim.OrderAsync($"k-burst-{i}")));

        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(16, created + rejected.Count);
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta));
        Assert.Equal(created, sim.Distributor.OrdersCreated);
        Assert.Equal(before - created, sim.Distributor.Stock);
        Assert.Equal(rejected.Count, sim.Distributor.OverloadRejections);
        Assert.True(sim.Distributor.MaxObservedConcurrency > 4, $"max concurrency {sim.Distributor.MaxObservedConcurrency}");
        Assert.Equal(0, sim.Distributor.CurrentConcurrency);
        foreach (var response in responses)
        {
            response.Dispose();
        }

        sim.Distributor.ResetStatistics();
        Assert.Equal(0, sim.Distributor.MaxObservedConcurrency);
        Assert.Equal(0, sim.Distributor.OverloadRejections);
        Assert.Equal(created, sim.Distributor.OrdersCreated);
    }

    [Fact]
    public async Task PostOrder_BetweenCapacityAndCollapse_SlowsDown()
    {
        var options = new SimulatedDistributorOptions
        {
            Id = "t-slow",
            Capacity = 1,
            CollapseFactor = 3,
            ServiceTime = TimeSpan.FromMilliseconds(150),
        };
        await using var sim = await SimulatorHarness.StartAsync(options);

        var started = TimeProvider.System.GetTimestamp();
        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => sim.OrderAsync($"k-slow-{i}")));
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(3, sim.Distributor.MaxObservedConcurrency);

        // The third concurrent order waits 150 ms × (3/1)² = 1.35 s, far beyond the 150 ms of a lone order.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(1300), $"took {elapsed}");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task PostOrder_PastCollapseWithHang_ChargesAndCallerTimesOut()
    {
        var options = new SimulatedDistributorOptions
        {
            Id = "t-hang",
            Capacity = 1,
            CollapseFactor = 1,
            ServiceTime = TimeSpan.FromSeconds(1),
            HangTime = TimeSpan.FromSeconds(60),
            Behavior = new DistributorBehavior { OverloadFailure = OverloadFailure.Hang },
        };
        await using var sim = await SimulatorHarness.StartAsync(options);
        // Impatient, but not so impatient that a cold start or a busy machine ends the request before
        // the simulator has read it and charged: the hang (60 s) is what the timeout must lose to.
        using var impatient = SimulatorHarness.NewClient(sim.Distributor.BaseUrl, timeout: TimeSpan.FromSeconds(2));
        using (var warm = await impatient.GetAsync(new Uri("health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var first = sim.OrderAsync("k-first");
        await Eventually.TrueAsync(() => sim.Distributor.CurrentConcurrency == 1, "one order in flight", TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { quantity = 1, applicantRef = "A" }),
        };
        request.Headers.Add("Idempotency-Key", "k-hung");
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.SendAsync(request));

        var hung = await sim.LookupByKeyAsync("k-hung");
        Assert.Equal("issued", hung.GetProperty("status").GetString());
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.Created, firstResponse.StatusCode);
        Assert.Equal(2, sim.Distributor.OrdersCreated);
    }

    [Theory]
    [InlineData(FailureAnswer.Status500, HttpStatusCode.InternalServerError)]
    [InlineData(FailureAnswer.Status504, HttpStatusCode.GatewayTimeout)]
    public async Task PostOrder_ChargeThenFailStatus_AnswersErrorButOrderExists(FailureAnswer answer, HttpStatusCode expected)
    {
        var behavior = new DistributorBehavior { ChargeThenFailRate = 1, ChargeThenFailAnswer = answer };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior));
        var before = sim.Distributor.Stock;

        using var response = await sim.OrderAsync("k-ctf", quantity: 2);

        Assert.Equal(expected, response.StatusCode);
        var order = await sim.LookupByKeyAsync("k-ctf");
        Assert.Equal("issued", order.GetProperty("status").GetString());
        Assert.Equal(2, order.GetProperty("serials").GetArrayLength());
        Assert.Equal(before - 2, sim.Distributor.Stock);

        // The retry with the same key gets the order that was charged, not a second one.
        sim.Distributor.Behavior.ChargeThenFailRate = 0;
        using var retry = await sim.OrderAsync("k-ctf", quantity: 2);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(1, sim.Distributor.OrdersCreated);
    }

    [Fact]
    public async Task PostOrder_ChargeThenFailDropConnection_ThrowsButOrderExists()
    {
        var behavior = new DistributorBehavior
        {
            ChargeThenFailRate = 1,
            ChargeThenFailAnswer = FailureAnswer.DropConnection,
            ChargeThenFailOrderStatus = OrderStatus.Failed,
        };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior));

        await Assert.ThrowsAsync<HttpRequestException>(() => sim.OrderAsync("k-drop"));

        var order = await sim.LookupByKeyAsync("k-drop");
        Assert.Equal("failed", order.GetProperty("status").GetString());
        Assert.Equal(0, order.GetProperty("serials").GetArrayLength());
        Assert.Equal(OrderStatus.Failed, Assert.Single(sim.Distributor.Orders).Status);
    }

    [Fact]
    public async Task PostOrder_ChargeThenFailRate_AppliesToShareOfOrders()
    {
        var behavior = new DistributorBehavior { ChargeThenFailRate = 0.5 };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior), random: new Random(7));

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await sim.OrderAsync($"k-share-{i}");
            codes.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.Created, codes);
        Assert.Contains(HttpStatusCode.InternalServerError, codes);
        Assert.Equal(40, sim.Distributor.OrdersCreated);
    }

    [Theory]
    [InlineData(OrderStatus.Issued)]
    [InlineData(OrderStatus.Failed)]
    public async Task PostOrder_StuckPending_PendingUntilTimeAdvancesThenOutcome(OrderStatus outcome)
    {
        var time = new FakeTimeProvider();
        var behavior = new DistributorBehavior
        {
            StuckPendingRate = 1,
            StuckPendingFor = TimeSpan.FromMinutes(30),
            StuckPendingOutcome = outcome,
        };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior, TimeSpan.Zero), time);

        using var response = await sim.OrderAsync("k-stuck", quantity: 2);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await SimulatorHarness.ReadAsync(response);
        Assert.Equal("pending", accepted.GetProperty("status").GetString());
        Assert.Equal(20_000, accepted.GetProperty("amount").GetInt32());
        Assert.False(accepted.TryGetProperty("serials", out _));

        time.Advance(TimeSpan.FromMinutes(29));
        var stillPending = await sim.LookupByKeyAsync("k-stuck");
        Assert.Equal("pending", stillPending.GetProperty("status").GetString());
        using var replayPending = await sim.OrderAsync("k-stuck", quantity: 2);
        Assert.Equal(HttpStatusCode.Accepted, replayPending.StatusCode);

        time.Advance(TimeSpan.FromMinutes(1));
        var settled = await sim.LookupByKeyAsync("k-stuck");
        Assert.Equal(outcome.ToString().ToLowerInvariant(), settled.GetProperty("status").GetString());
        Assert.Equal(outcome == OrderStatus.Issued ? 2 : 0, settled.GetProperty("serials").GetArrayLength());
        Assert.Equal(1, sim.Distributor.OrdersCreated);
    }

    [Fact]
    public async Task Refund_FailedOrder_Returns200IdempotentlyAndRestoresStock()
    {
        var behavior = new DistributorBehavior { ChargeThenFailRate = 1, ChargeThenFailOrderStatus = OrderStatus.Failed };
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options(behavior));
        var before = sim.Distributor.Stock;
        using var failed = await sim.OrderAsync("k-refund", quantity: 3);
        var orderId = (await sim.LookupByKeyAsync("k-refund")).GetProperty("orderId").GetString();

        using var first = await sim.Client.PostAsync(new Uri($"orders/{orderId}/refund", UriKind.Relative), content: null);
        using var second = await sim.Client.PostAsync(new Uri($"orders/{orderId}/refund", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var body = await SimulatorHarness.ReadAsync(second);
        Assert.Equal(orderId, body.GetProperty("orderId").GetString());
        Assert.Equal("refunded", body.GetProperty("status").GetString());
        Assert.Equal("refunded", (await sim.LookupByKeyAsync("k-refund")).GetProperty("status").GetString());
        Assert.Equal(1, sim.Distributor.RefundsMade);
        Assert.Equal(before, sim.Distributor.Stock);
    }

    [Fact]
    public async Task Refund_IssuedOrder_Returns409AndUnknownReturns404()
    {
        await using var sim = await SimulatorHarness.StartAsync(SimulatorHarness.Options());
        using var created = await sim.OrderAsync("k-issued");
        var orderId = (await SimulatorHarness.ReadAsync(created)).GetProperty("orderId").GetString();

        using var issued = await sim.Client.PostAsync(new Uri($"orders/{orderId}/refund", UriKind.Relative), content: null);
        using var unknown = await sim.Client.PostAsync(new Uri("orders/nope/refund", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.Conflict, issued.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(0, sim.Distributor.RefundsMade);
    }
}
