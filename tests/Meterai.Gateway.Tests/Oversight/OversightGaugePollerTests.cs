using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Meterai.Gateway.Tests.Oversight;

public sealed class OversightGaugePollerTests
{
    [Fact]
    public async Task PollAsync_FlagOpenInLedger_ScrapeShowsItInactiveAndCountedByReason()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01"), Fleets.Seller("d02")]);
        var store = gateway.Services.GetRequiredService<OversightStore>();
        await store.OpenFlagAsync("flag-gauge-test", "d02", FlagReasons.NoSales, "{}", DateTimeOffset.UtcNow, CancellationToken.None);
        var poller = gateway.Services.GetServices<IHostedService>().OfType<OversightGaugePoller>().Single();

        await poller.PollAsync(CancellationToken.None);

        var text = await gateway.Client.GetStringAsync("/metrics");
        Assert.Contains("\nmeterai_distributor_active{distributor=\"d02\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("\nmeterai_distributor_active{distributor=\"d01\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\nmeterai_flags_open{reason=\"no_sales\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\nmeterai_flags_open{reason=\"unreachable\"} 0\n", text, StringComparison.Ordinal);
    }
}
