using System.Text;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Timeout;
using Prometheus;

namespace Meterai.Gateway.Tests.Resilience;

public sealed class ResiliencePipelinesTests
{
    [Fact]
    public async Task Get_SameNameTwoDistributors_OneInstanceEachFromTheRegistry()
    {
        await using var services = Services(TimeSpan.FromSeconds(5));
        var pipelines = services.GetRequiredService<ResiliencePipelines>();

        var d01 = pipelines.Get(ResiliencePipelines.OrderLookup, "d01");

        Assert.Same(d01, pipelines.Get(ResiliencePipelines.OrderLookup, "d01"));
        Assert.NotSame(d01, pipelines.Get(ResiliencePipelines.OrderLookup, "d02"));
    }

    [Fact]
    public async Task Execute_TimeoutFires_CountedInResilienceEventsWithPipelineName()
    {
        // Real timers: Polly's timeout strategy on the system clock, bounded to 50 ms.
        await using var services = Services(TimeSpan.FromMilliseconds(50));
        var pipeline = services.GetRequiredService<ResiliencePipelines>().Get(ResiliencePipelines.OrderLookup, "d01");

        await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
            await pipeline.ExecuteAsync(static async token => await Task.Delay(Timeout.Infinite, token), CancellationToken.None));

        using var text = new MemoryStream();
        await services.GetRequiredService<CollectorRegistry>().CollectAndExportAsTextAsync(text);
        Assert.Contains(
            "meterai_resilience_events_total{pipeline=\"order-lookup\",strategy=\"Timeout\",event=\"OnTimeout\"} 1\n",
            Encoding.UTF8.GetString(text.ToArray()),
            StringComparison.Ordinal);
    }

    private static ServiceProvider Services(TimeSpan timeout)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Metrics.NewCustomRegistry());
        services.AddSingleton(new DistributorFleet());
        services.AddSingleton<GatewayMetrics>();
        services.AddGatewayResilience();
        services.AddGatewayPipeline(ResiliencePipelines.OrderLookup, (pipeline, _) => pipeline.AddTimeout(timeout));
        return services.BuildServiceProvider();
    }
}
