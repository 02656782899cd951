using Meterai.Gateway.Distributors;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Distributors;

/// <summary>
/// Probes, look-ups and refunds through the gateway's own configured client, against a distributor
/// that redirects or answers past 64 KiB: nothing is followed, nothing is read past the limit, and
/// only the answers the spec lists settle anything.
/// </summary>
public sealed class DistributorClientTests
{
    private const string Key = "pur_0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task FindByKey_RedirectToTheOrder_UnknownAndNotFollowed()
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);
        scripted.Charge(Key);
        scripted.LookupAnswer = ScriptedAnswer.Redirect(302, $"/elsewhere/orders?idempotencyKey={Key}");

        var found = await LookUpAsync(gateway);

        Assert.Equal(LookupKind.Unknown, found.Kind);
        Assert.Equal(0, scripted.ElsewhereRequests);
    }

    [Fact]
    public async Task FindByKey_ValidOrderPaddedPast64KiB_Unknown()
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);
        var order = scripted.Charge(Key);
        scripted.LookupAnswer = new ScriptedAnswer(200, ScriptedAnswer.Padded(order.Json(withKey: true)));

        var found = await LookUpAsync(gateway);

        Assert.Equal(LookupKind.Unknown, found.Kind);
        Assert.IsType<HttpRequestException>(found.Failure);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(408)]
    [InlineData(204)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task FindByKey_AnswerOtherThan200Or404_Unknown(int status)
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);
        scripted.Charge(Key);
        scripted.LookupAnswer = new ScriptedAnswer(status, """{"error":"scripted"}""");

        Assert.Equal(LookupKind.Unknown, (await LookUpAsync(gateway)).Kind);
    }

    [Fact]
    public async Task FindByKey_200WithTheOrderAnd404_FoundAndNotFound()
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);

        var before = await LookUpAsync(gateway);
        var order = scripted.Charge(Key);
        var after = await LookUpAsync(gateway);

        Assert.Equal(LookupKind.NotFound, before.Kind);
        Assert.Equal(LookupKind.Found, after.Kind);
        Assert.Equal(order.OrderId, after.Order!.OrderId);
    }

    [Theory]
    [InlineData(307)]
    [InlineData(302)]
    public async Task RequestRefund_RedirectToAConfirmation_NotFollowedAndNotConfirmed(int status)
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);
        var order = scripted.Charge(Key);
        scripted.RefundAnswer = ScriptedAnswer.Redirect(status, $"/elsewhere/orders/{order.OrderId}/refund");

        await Assert.ThrowsAsync<HttpRequestException>(() => RefundAsync(gateway, order.OrderId));

        Assert.Equal(0, scripted.ElsewhereRequests);
    }

    [Theory]
    [InlineData("""{"status":"pending"}""")]
    [InlineData("""{"orderId":"ord_other","status":"refunded"}""")]
    [InlineData("")]
    [InlineData("refunded")]
    [InlineData("padded")]
    public async Task RequestRefund_200ThatDoesNotConfirm_NotConfirmed(string body)
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);
        var order = scripted.Charge(Key);
        scripted.RefundAnswer = new ScriptedAnswer(200, body == "padded"
            ? ScriptedAnswer.Padded($$"""{"orderId":"{{order.OrderId}}","status":"refunded"}""")
            : body);

        await Assert.ThrowsAsync<HttpRequestException>(() => RefundAsync(gateway, order.OrderId));
    }

    [Fact]
    public async Task RequestRefund_200Refunded_Confirmed()
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);
        var order = scripted.Charge(Key);

        Assert.Equal(RefundAnswer.Refunded, await RefundAsync(gateway, order.OrderId));
        Assert.Equal("refunded", order.Status);
    }

    [Theory]
    [InlineData("redirect")]
    [InlineData("padded")]
    public async Task Probe_HealthRedirectsOrAnswersPast64KiB_Unhealthy(string answer)
    {
        await using var scripted = await ScriptedDistributor.StartAsync();
        await using var gateway = await StartAsync(scripted);
        Assert.True(gateway.State(scripted.Id).Healthy);
        scripted.HealthAnswer = answer == "redirect"
            ? ScriptedAnswer.Redirect(302, "/elsewhere/health")
            : new ScriptedAnswer(200, ScriptedAnswer.Padded("""{"status":"ok"}"""));

        await gateway.ProbeNowAsync();

        Assert.False(gateway.State(scripted.Id).Healthy);
        Assert.Equal(0, scripted.ElsewhereRequests);
    }

    private static Task<GatewayHarness> StartAsync(ScriptedDistributor scripted) =>
        GatewayHarness.StartAsync([Fleets.Seller("other")], editRegistry: scripted.AddTo);

    private static Task<LookupResult> LookUpAsync(GatewayHarness gateway) =>
        gateway.Services.GetRequiredService<OrderLookup>().FindByKeyAsync(gateway.State("scripted").Entry, Key, 1, CancellationToken.None);

    private static Task<RefundAnswer> RefundAsync(GatewayHarness gateway, string orderId) =>
        gateway.Services.GetRequiredService<DistributorClient>().RequestRefundAsync(gateway.State("scripted").Entry, orderId, CancellationToken.None);
}
