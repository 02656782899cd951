using System.Diagnostics.Metrics;
using System.Text;
using Meterai.Gateway.Observability.Prometheus;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Meterai.Gateway.Tests.Observability.Prometheus;

/// <summary>
/// A meter of its own (a unique name, so parallel tests never see each other's instruments), a
/// real OpenTelemetry MeterProvider that listens to it, and the scraper under test as its reader.
/// </summary>
internal sealed class TestMetrics : IDisposable
{
    private readonly MeterProvider _provider;
    private readonly List<Meter> _meters = [];

    public TestMetrics(Func<Instrument, MetricStreamConfiguration?>? view = null, ILogger<PrometheusScraper>? logger = null)
    {
        MeterName = $"Meterai.Tests.{Guid.NewGuid():N}";
        Meter = AddMeter();
        Scraper = new PrometheusScraper(logger ?? NullLogger<PrometheusScraper>.Instance);
        var builder = Sdk.CreateMeterProviderBuilder().AddMeter(MeterName);
        if (view is not null)
        {
            builder.AddView(view);
        }

        _provider = builder.AddReader(Scraper.Reader).Build();
    }

    public string MeterName { get; }

    public Meter Meter { get; }

    public PrometheusScraper Scraper { get; }

    /// <summary>Another meter instance with the same name, as a second host's IMeterFactory would create.</summary>
    public Meter AddMeter()
    {
        var meter = new Meter(MeterName);
        _meters.Add(meter);
        return meter;
    }

    public async Task<string> ScrapeAsync()
    {
        using var scrape = await Scraper.ScrapeAsync(CancellationToken.None) ?? throw new InvalidOperationException("the collection failed");
        return Encoding.UTF8.GetString(scrape.Content.Span);
    }

    public void Dispose()
    {
        _provider.Dispose();
        Scraper.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
