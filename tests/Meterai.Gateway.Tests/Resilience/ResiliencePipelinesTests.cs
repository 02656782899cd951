using System.Text;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Observability;
using Meterai.Gateway.Resilience;
using Meterai.Gateway.Tests.Testing;
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

    [Fact]
    public async Task Collect_NoPipelineRunYet_EveryKnownEventExportedAtZero()
    {
        await using var services = Services(TimeSpan.FromSeconds(5));
        _ = services.GetRequiredService<GatewayMetrics>();

        using var text = new MemoryStream();
        await services.GetRequiredService<CollectorRegistry>().CollectAndExportAsTextAsync(text);
        var exposition = Encoding.UTF8.GetString(text.ToArray());

        Assert.All(ResilienceEventLabels.Known, known => Assert.Contains(
            $"meterai_resilience_events_total{{pipeline=\"{known.Pipeline}\",strategy=\"{known.Strategy}\",event=\"{known.Event}\"}} 0\n",
            exposition,
            StringComparison.Ordinal));
        Assert.Contains("meterai_resilience_events_total{pipeline=\"probe\",strategy=\"Timeout\",event=\"OnTimeout\"} 0\n", exposition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_TimeoutOfOneDistributorsPipeline_LoggedAtDebugNamingItWithoutPollysOwnLines()
    {
        using var logs = new CapturedLogs();
        await using var services = Services(TimeSpan.FromMilliseconds(50), logs);
        var pipeline = services.GetRequiredService<ResiliencePipelines>().Get(ResiliencePipelines.OrderLookup, "d07");

        await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
            await pipeline.ExecuteAsync(static async token => await Task.Delay(Timeout.Infinite, token), CancellationToken.None));

        var line = Assert.Single(logs.Lines, l => l.Contains("OnTimeout", StringComparison.Ordinal));
        Assert.StartsWith("Debug ", line, StringComparison.Ordinal);
        Assert.Contains("for d07 in order-lookup", line, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(" Polly", StringComparison.Ordinal));
    }

    private static ServiceProvider Services(TimeSpan timeout, CapturedLogs? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Metrics.NewCustomRegistry());
        services.AddSingleton(new DistributorFleet());
        services.AddSingleton<GatewayMetrics>();
        services.AddGatewayResilience();
        services.AddGatewayPipeline(ResiliencePipelines.OrderLookup, (pipeline, _) => pipeline.AddTimeout(timeout));
        return services.BuildServiceProvider();
    }
}
