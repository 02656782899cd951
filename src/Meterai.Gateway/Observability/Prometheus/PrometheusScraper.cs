using System.Buffers;
using OpenTelemetry.Metrics;

namespace Meterai.Gateway.Observability.Prometheus;

/// <summary>
/// The Prometheus side of the gateway's MeterProvider: add <see cref="Reader"/> to the provider,
/// then each <see cref="ScrapeAsync"/> collects every instrument and renders the 0.0.4 text.
/// </summary>
/// <remarks>
/// Collection runs on scrape, not on a timer: the numbers are as fresh as the scrape, and an idle
/// gateway with nobody scraping does no metrics work. Scrapes serialize on one gate because a
/// collection is not reentrant and shares the writer's buffers; the text is then copied into a
/// pooled buffer so a slow client does not hold the gate while it reads.
/// </remarks>
internal sealed partial class PrometheusScraper : IDisposable
{
    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // Bounds only the wait for a collection the provider itself is running (a flush); ours runs
    // the observable gauges' callbacks inline, so a hung callback hangs its scrape, and the scrapes
    // queued behind it at the gate give up when Prometheus aborts them (scrape timeout, 10 s).
    private const int CollectTimeoutMilliseconds = 5_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PrometheusTextWriter _writer = new();
    private readonly HashSet<string> _reportedDrops = new(StringComparer.Ordinal);
    private readonly ILogger<PrometheusScraper> _logger;

    public PrometheusScraper(ILogger<PrometheusScraper> logger)
    {
        _logger = logger;

        // Cumulative, as Prometheus expects: a counter is the total since start, and rate() does the rest.
        Reader = new BaseExportingMetricReader(new PrometheusScrapeExporter(_writer))
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
    }

    /// <summary>Add to exactly one MeterProvider.</summary>
    public MetricReader Reader { get; }

    /// <summary>Collects and renders the metrics now.</summary>
    /// <returns>The exposition, to be written and then disposed; null when the collection failed (logged).</returns>
    public async ValueTask<PrometheusScrape?> ScrapeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            lock (_writer)
            {
                _writer.Reset();
            }

            if (!Reader.Collect(CollectTimeoutMilliseconds))
            {
                LogCollectFailed(_logger, CollectTimeoutMilliseconds);
                return null;
            }

            // The exporter wrote under this lock, on this thread (or, if the provider flushed at
            // the same moment, on another, with a collection just as fresh).
            lock (_writer)
            {
                ReportDrops();
                return PrometheusScrape.CopyOf(_writer.Written);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        Reader.Dispose();
        _gate.Dispose();
    }

    private void ReportDrops()
    {
        foreach (var dropped in _writer.Dropped)
        {
            // Once per instrument: the same conflict recurs on every scrape.
            if (_reportedDrops.Add(dropped.MeterName + "/" + dropped.InstrumentName))
            {
                LogMetricDropped(_logger, dropped.InstrumentName, dropped.MeterName, dropped.FamilyName, dropped.Reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics collection failed or took longer than {TimeoutMilliseconds} ms; /metrics answered 503")]
    private static partial void LogCollectFailed(ILogger logger, int timeoutMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instrument {InstrumentName} of meter {MeterName} is left out of /metrics as {FamilyName}: {Reason}")]
    private static partial void LogMetricDropped(ILogger logger, string instrumentName, string meterName, string familyName, string reason);
}

/// <summary>One rendered exposition in a pooled buffer: write it once, then dispose it.</summary>
internal sealed class PrometheusScrape : IDisposable
{
    private byte[]? _buffer;

    private PrometheusScrape(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    /// <summary>The text; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Content => (_buffer ?? throw new ObjectDisposedException(nameof(PrometheusScrape))).AsMemory(0, Length);

    public static PrometheusScrape CopyOf(ReadOnlySpan<byte> text)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(text.Length, 1));
        text.CopyTo(buffer);
        return new PrometheusScrape(buffer, text.Length);
    }

    /// <summary>Writes the text to <paramref name="body"/> and gives the buffer back to the pool.</summary>
    public async Task WriteToAsync(Stream body)
    {
        try
        {
            await body.WriteAsync(Content);
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
