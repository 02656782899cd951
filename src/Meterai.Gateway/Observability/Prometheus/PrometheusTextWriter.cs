using System.Buffers;
using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Meterai.Gateway.Observability.Prometheus;

/// <summary>An instrument the writer could not expose, and why; the scraper logs it once.</summary>
internal sealed record DroppedMetric(string MeterName, string InstrumentName, string FamilyName, string Reason);

/// <summary>
/// Writes one collection of OpenTelemetry metrics as Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): per family one <c># HELP</c>
/// and one <c># TYPE</c>, then its samples, families sorted by name.
/// </summary>
/// <remarks>
/// Not thread-safe: the scraper owns one instance and writes under its gate. It keeps its buffers
/// and the UTF-8 bytes of every name between scrapes, so a scrape in steady state allocates next
/// to nothing whatever the number of series.
/// </remarks>
internal sealed class PrometheusTextWriter
{
    private static readonly SearchValues<char> LabelValueSpecials = SearchValues.Create("\\\"\n");
    private static readonly SearchValues<char> HelpSpecials = SearchValues.Create("\\\n");

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);

    // The label blocks (name="value",...) of the family being written: each is rendered once and
    // copied into every line of its series, and the set finds a series that two instruments share.
    private readonly ArrayBufferWriter<byte> _labels = new(8 * 1024);
    private readonly HashSet<Range> _series;

    private readonly List<Entry> _entries = [];
    private readonly Dictionary<Metric, Family> _families = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, byte[]> _labelNames = new(StringComparer.Ordinal);
    private readonly List<DroppedMetric> _dropped = [];
    private Tag[] _tags = new Tag[8];
    private int _generation;

    public PrometheusTextWriter() => _series = new HashSet<Range>(new LabelBlockComparer(_labels));

    /// <summary>The exposition written by the last <see cref="Write"/>; valid until the next call.</summary>
    public ReadOnlySpan<byte> Written => _output.WrittenSpan;

    /// <summary>Instruments the last <see cref="Write"/> left out.</summary>
    public IReadOnlyList<DroppedMetric> Dropped => _dropped;

    /// <summary>Forgets the last exposition, so a collection that never reaches <see cref="Write"/> does not serve stale text.</summary>
    public void Reset()
    {
        _output.ResetWrittenCount();
        _dropped.Clear();
    }

    public void Write(in Batch<Metric> batch)
    {
        Reset();
        _generation++;
        foreach (var metric in batch)
        {
            var family = FamilyOf(metric);
            if (family.Kind is null)
            {
                _dropped.Add(new DroppedMetric(metric.MeterName, metric.Name, family.Name, $"{metric.MetricType} has no Prometheus 0.0.4 form"));
                continue;
            }

            _entries.Add(new Entry(family, metric, _entries.Count));
        }

        // By family name so the text is stable from scrape to scrape; batch order breaks ties, so
        // the first instrument seen for a name gives the family its help text.
        _entries.Sort(EntryOrder.Instance);
        for (var start = 0; start < _entries.Count;)
        {
            var end = start + 1;
            while (end < _entries.Count && string.Equals(_entries[end].Family.Name, _entries[start].Family.Name, StringComparison.Ordinal))
            {
                end++;
            }

            WriteFamily(start, end);
            start = end;
        }

        _entries.Clear();
        ForgetVanishedMetrics();
    }

    private void WriteFamily(int start, int end)
    {
        var first = _entries[start].Family;
        _labels.ResetWrittenCount();
        _series.Clear();
        var headerWritten = false;
        for (var i = start; i < end; i++)
        {
            var (family, metric, _) = _entries[i];
            if (family.Kind != first.Kind)
            {
                // One name, two kinds: Prometheus cannot hold both, so the first keeps the name.
                _dropped.Add(new DroppedMetric(metric.MeterName, metric.Name, family.Name, $"the family is already a {first.Kind} from meter {_entries[start].Metric.MeterName}"));
                continue;
            }

            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var labelsStart = _labels.WrittenCount;
                WriteLabels(point.Tags);
                var labels = new Range(labelsStart, _labels.WrittenCount);

                // A series two meters both report (the same instrument from two meter instances)
                // is written once: a repeated series makes the whole scrape invalid.
                if (!_series.Add(labels))
                {
                    continue;
                }

                if (!headerWritten)
                {
                    _output.Write(first.Header);
                    headerWritten = true;
                }

                WritePoint(family, metric.MetricType, in point, labels);
            }
        }
    }

    private void WritePoint(Family family, MetricType type, in MetricPoint point, Range labels)
    {
        switch (type)
        {
            case MetricType.LongSum:
            case MetricType.LongSumNonMonotonic:
                WriteSeriesStart(family.SampleName, labels, default);
                WriteLong(point.GetSumLong());
                break;
            case MetricType.DoubleSum:
            case MetricType.DoubleSumNonMonotonic:
                WriteSeriesStart(family.SampleName, labels, default);
                WriteDouble(_output, point.GetSumDouble());
                break;
            case MetricType.LongGauge:
                WriteSeriesStart(family.SampleName, labels, default);
                WriteLong(point.GetGaugeLastValueLong());
                break;
            case MetricType.DoubleGauge:
                WriteSeriesStart(family.SampleName, labels, default);
                WriteDouble(_output, point.GetGaugeLastValueDouble());
                break;
            case MetricType.Histogram:
                WriteHistogram(family, in point, labels);
                return;
            default:
                throw new InvalidOperationException($"No Prometheus form for {type}."); // filtered out by FamilyOf
        }

        _output.Write("\n"u8);
    }

    private void WriteHistogram(Family family, in MetricPoint point, Range labels)
    {
        // OpenTelemetry counts per bucket; Prometheus wants each bucket to hold everything at or
        // below its bound, ending with le="+Inf" equal to _count.
        var count = point.GetHistogramCount();
        long cumulative = 0;
        var index = 0;
        var sawInfinity = false;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            WriteSeriesStart(family.BucketName, labels, family.BucketLabel(index++, bucket.ExplicitBound));
            WriteLong(cumulative);
            _output.Write("\n"u8);
            sawInfinity |= double.IsPositiveInfinity(bucket.ExplicitBound);
        }

        if (!sawInfinity)
        {
            WriteSeriesStart(family.BucketName, labels, "le=\"+Inf\""u8);
            WriteLong(count);
            _output.Write("\n"u8);
        }

        WriteSeriesStart(family.SumName, labels, default);
        WriteDouble(_output, point.GetHistogramSum());
        _output.Write("\n"u8);
        WriteSeriesStart(family.CountName, labels, default);
        WriteLong(count);
        _output.Write("\n"u8);
    }

    /// <summary><c>name{labels,extra} </c>, braces only when there is a label.</summary>
    private void WriteSeriesStart(byte[] name, Range labels, ReadOnlySpan<byte> extraLabel)
    {
        _output.Write(name);
        var block = _labels.WrittenSpan[labels];
        if (block.Length > 0 || extraLabel.Length > 0)
        {
            _output.Write("{"u8);
            _output.Write(block);
            if (block.Length > 0 && extraLabel.Length > 0)
            {
                _output.Write(","u8);
            }

            _output.Write(extraLabel);
            _output.Write("}"u8);
        }

        _output.Write(" "u8);
    }

    /// <summary>
    /// Appends <c>a="x",b="y"</c> to the label buffer, labels sorted by name. Two tag keys that
    /// become the same label name (<c>a.b</c>, <c>a_b</c>) are merged, values joined by <c>;</c> in
    /// the order of the original keys, as the OpenTelemetry compatibility rules ask: a label name
    /// twice in one series would be rejected.
    /// </summary>
    private void WriteLabels(ReadOnlyTagCollection tags)
    {
        var count = 0;
        foreach (var tag in tags)
        {
            if (count == _tags.Length)
            {
                Array.Resize(ref _tags, count * 2);
            }

            _tags[count++] = new Tag(LabelNameOf(tag.Key), tag.Key, tag.Value);
        }

        // Insertion sort: a handful of tags, and no comparer allocation.
        for (var i = 1; i < count; i++)
        {
            var tag = _tags[i];
            var j = i - 1;
            while (j >= 0 && Tag.Compare(_tags[j], tag) > 0)
            {
                _tags[j + 1] = _tags[j];
                j--;
            }

            _tags[j + 1] = tag;
        }

        for (var i = 0; i < count; i++)
        {
            var tag = _tags[i];
            if (i > 0 && _tags[i - 1].Name.AsSpan().SequenceEqual(tag.Name))
            {
                _labels.Write(";"u8);
            }
            else
            {
                if (i > 0)
                {
                    _labels.Write("\","u8);
                }

                _labels.Write(tag.Name);
                _labels.Write("=\""u8);
            }

            WriteLabelValue(_labels, tag.Value);
        }

        if (count > 0)
        {
            _labels.Write("\""u8);
        }

        // Tag values are the application's objects: do not keep them alive until the next scrape.
        Array.Clear(_tags, 0, count);
    }

    private byte[] LabelNameOf(string key)
    {
        if (!_labelNames.TryGetValue(key, out var name))
        {
            name = Encoding.UTF8.GetBytes(PrometheusNaming.LabelName(key));
            _labelNames[key] = name;
        }

        return name;
    }

    private Family FamilyOf(Metric metric)
    {
        if (!_families.TryGetValue(metric, out var family))
        {
            family = new Family(metric);
            _families[metric] = family;
        }

        family.LastSeen = _generation;
        return family;
    }

    /// <summary>Instruments come and go (a disposed meter); their cached names should not stay for the life of the process.</summary>
    private void ForgetVanishedMetrics()
    {
        var seen = 0;
        foreach (var family in _families.Values)
        {
            seen += family.LastSeen == _generation ? 1 : 0;
        }

        if (_families.Count <= (2 * seen) + 16)
        {
            return;
        }

        foreach (var (metric, family) in _families)
        {
            if (family.LastSeen != _generation)
            {
                _families.Remove(metric);
            }
        }
    }

    private void WriteLong(long value)
    {
        var span = _output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        _output.Advance(written);
    }

    /// <summary>Shortest round-trip form, invariant; Prometheus spells the specials <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    internal static void WriteDouble(ArrayBufferWriter<byte> output, double value)
    {
        if (double.IsNaN(value))
        {
            output.Write("NaN"u8);
        }
        else if (double.IsPositiveInfinity(value))
        {
            output.Write("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            output.Write("-Inf"u8);
        }
        else
        {
            var span = output.GetSpan(32);
            value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            output.Advance(written);
        }
    }

    private static void WriteLabelValue(ArrayBufferWriter<byte> output, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                WriteEscaped(output, text, LabelValueSpecials);
                return;
            case bool flag:
                output.Write(flag ? "true"u8 : "false"u8);
                return;
            case double number:
                WriteDouble(output, number);
                return;
            case float number:
                WriteDouble(output, number);
                return;
            case IUtf8SpanFormattable number when value.GetType().IsPrimitive:
                // Integers: no character of theirs needs escaping.
                var span = output.GetSpan(32);
                number.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
                output.Advance(written);
                return;
            default:
                WriteEscaped(output, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, LabelValueSpecials);
                return;
        }
    }

    /// <summary>UTF-8, with <c>\</c>, newline and (in label values) <c>"</c> escaped as the format requires.</summary>
    internal static void WriteEscaped(ArrayBufferWriter<byte> output, ReadOnlySpan<char> text, SearchValues<char> specials)
    {
        while (!text.IsEmpty)
        {
            var special = text.IndexOfAny(specials);
            var run = special < 0 ? text : text[..special];
            if (!run.IsEmpty)
            {
                var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(run.Length));
                output.Advance(Encoding.UTF8.GetBytes(run, span));
            }

            if (special < 0)
            {
                return;
            }

            output.Write(text[special] switch
            {
                '\\' => "\\\\"u8,
                '"' => "\\\""u8,
                _ => "\\n"u8,
            });
            text = text[(special + 1)..];
        }
    }

    /// <summary>What a metric is called and how it is introduced, computed once per instrument.</summary>
    private sealed class Family
    {
        private readonly List<double> _bounds = [];
        private readonly List<byte[]> _bucketLabels = [];

        public Family(Metric metric)
        {
            Kind = metric.MetricType switch
            {
                MetricType.LongSum or MetricType.DoubleSum => PrometheusKind.Counter,
                MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic or MetricType.LongGauge or MetricType.DoubleGauge => PrometheusKind.Gauge,
                MetricType.Histogram => PrometheusKind.Histogram,
                _ => null,
            };
            Name = PrometheusNaming.MetricName(metric.Name, metric.Unit, Kind ?? PrometheusKind.Gauge);
            SampleName = Encoding.UTF8.GetBytes(Name);
            BucketName = Encoding.UTF8.GetBytes(Name + "_bucket");
            SumName = Encoding.UTF8.GetBytes(Name + "_sum");
            CountName = Encoding.UTF8.GetBytes(Name + "_count");

            // promtool wants help on every family; an instrument without a description gets its
            // own name and meter, which at least tells a reader where to look.
            var help = string.IsNullOrWhiteSpace(metric.Description) ? $"{metric.Name} (meter {metric.MeterName})" : metric.Description;
            var header = new ArrayBufferWriter<byte>(Name.Length * 2 + help.Length + 32);
            header.Write("# HELP "u8);
            header.Write(SampleName);
            header.Write(" "u8);
            WriteEscaped(header, help, HelpSpecials);
            header.Write("\n# TYPE "u8);
            header.Write(SampleName);
            header.Write(Kind switch
            {
                PrometheusKind.Counter => " counter\n"u8,
                PrometheusKind.Histogram => " histogram\n"u8,
                _ => " gauge\n"u8,
            });
            Header = header.WrittenSpan.ToArray();
        }

        public PrometheusKind? Kind { get; }

        public string Name { get; }

        public byte[] SampleName { get; }

        public byte[] BucketName { get; }

        public byte[] SumName { get; }

        public byte[] CountName { get; }

        public byte[] Header { get; }

        public int LastSeen { get; set; }

        /// <summary><c>le="0.005"</c> for the bucket at <paramref name="index"/>, formatted once per bound.</summary>
        public byte[] BucketLabel(int index, double bound)
        {
            if (index < _bounds.Count && _bounds[index].Equals(bound))
            {
                return _bucketLabels[index];
            }

            var label = new ArrayBufferWriter<byte>(32);
            label.Write("le=\""u8);
            WriteDouble(label, bound);
            label.Write("\""u8);
            var bytes = label.WrittenSpan.ToArray();
            if (index < _bounds.Count)
            {
                _bounds[index] = bound;
                _bucketLabels[index] = bytes;
            }
            else
            {
                _bounds.Add(bound);
                _bucketLabels.Add(bytes);
            }

            return bytes;
        }
    }

    private readonly record struct Entry(Family Family, Metric Metric, int Order);

    private readonly record struct Tag(byte[] Name, string Key, object? Value)
    {
        public static int Compare(Tag x, Tag y)
        {
            var byName = x.Name.AsSpan().SequenceCompareTo(y.Name);
            return byName != 0 ? byName : string.CompareOrdinal(x.Key, y.Key);
        }
    }

    private sealed class EntryOrder : IComparer<Entry>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(Entry x, Entry y)
        {
            var byName = string.CompareOrdinal(x.Family.Name, y.Family.Name);
            return byName != 0 ? byName : x.Order.CompareTo(y.Order);
        }
    }

    /// <summary>Compares label blocks by their bytes in the family's label buffer.</summary>
    private sealed class LabelBlockComparer(ArrayBufferWriter<byte> labels) : IEqualityComparer<Range>
    {
        public bool Equals(Range x, Range y) => labels.WrittenSpan[x].SequenceEqual(labels.WrittenSpan[y]);

        public int GetHashCode(Range obj)
        {
            var hash = new HashCode();
            hash.AddBytes(labels.WrittenSpan[obj]);
            return hash.ToHashCode();
        }
    }
}
