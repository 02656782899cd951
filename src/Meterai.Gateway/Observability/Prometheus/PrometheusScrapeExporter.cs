using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Meterai.Gateway.Observability.Prometheus;

/// <summary>
/// Renders each batch it is handed into the writer, on the thread that collects: the scraper calls
/// <see cref="MetricReader.Collect"/> and finds the text ready when it returns.
/// </summary>
/// <remarks>
/// Declared Push as well as Pull although nothing pushes: the SDK lets outside code call
/// <see cref="MetricReader.Collect"/> on a pull-only reader only inside a scope that is internal
/// to OpenTelemetry's own Prometheus exporter. With Push, the provider may also collect by itself
/// (ForceFlush, shutdown); that export takes the same writer lock, so it never tears a scrape.
/// </remarks>
[ExportModes(ExportModes.Push | ExportModes.Pull)]
internal sealed class PrometheusScrapeExporter(PrometheusTextWriter writer) : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch)
    {
        lock (writer)
        {
            writer.Write(in batch);
        }

        return ExportResult.Success;
    }
}
