using System.Text;

namespace Meterai.Gateway.Observability.Prometheus;

/// <summary>The Prometheus kind an OpenTelemetry metric is exposed as.</summary>
internal enum PrometheusKind
{
    /// <summary>A monotonic sum: the family name ends in <c>_total</c>.</summary>
    Counter,

    /// <summary>A gauge, or a non-monotonic sum (an up-down counter), which Prometheus has no other kind for.</summary>
    Gauge,

    /// <summary>An explicit-bucket histogram: <c>_bucket</c>, <c>_sum</c>, <c>_count</c>.</summary>
    Histogram,
}

/// <summary>
/// OpenTelemetry → Prometheus names, after the OpenTelemetry "Prometheus and OpenMetrics
/// compatibility" rules: invalid characters become <c>_</c>, the unit becomes a suffix in full
/// words (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, <c>{purchase}</c> → nothing),
/// counters end in <c>_total</c>. The dashboards and alerts query these names, so every rule here
/// is pinned by a test (<c>PrometheusNamingTests</c>).
/// </summary>
internal static class PrometheusNaming
{
    // UCUM units (as OpenTelemetry semantic conventions write them) and the Prometheus words for them.
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tebibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["%"] = "percent",
    };

    // The denominator of a rate unit ("By/s" → "bytes_per_second") is singular.
    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    };

    /// <summary>The Prometheus family name of an instrument.</summary>
    /// <param name="instrumentName">The OpenTelemetry instrument name, such as <c>meterai.purchase.duration</c>.</param>
    /// <param name="unit">The UCUM unit, such as <c>s</c>, <c>By</c> or <c>{purchase}</c>; null or empty for none.</param>
    public static string MetricName(string instrumentName, string? unit, PrometheusKind kind)
    {
        var name = Sanitize(instrumentName);
        var suffix = UnitSuffix(unit, kind);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name = name + "_" + suffix;
        }

        if (kind == PrometheusKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        // Prometheus keeps _bucket, _sum and _count for the series of histograms and summaries.
        // A gauge named like one ("dotnet.thread_pool.thread.count") reads as part of a histogram,
        // and promtool rejects it; _value keeps the name recognisable.
        if (kind == PrometheusKind.Gauge &&
            (name.EndsWith("_count", StringComparison.Ordinal) || name.EndsWith("_sum", StringComparison.Ordinal) || name.EndsWith("_bucket", StringComparison.Ordinal)))
        {
            name += "_value";
        }

        return name;
    }

    /// <summary>The Prometheus label name of a tag key: <c>http.response.status_code</c> → <c>http_response_status_code</c>.</summary>
    /// <remarks>Runs of <c>_</c> are collapsed, so no label name starts with the <c>__</c> Prometheus reserves.</remarks>
    public static string LabelName(string key) => Sanitize(key);

    /// <summary>The unit in Prometheus words, or empty when the name gets no unit suffix.</summary>
    public static string UnitSuffix(string? unit, PrometheusKind kind)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        // Annotations in braces ("{purchase}", "{request}/s") name what is counted, not a unit.
        var bare = StripAnnotations(unit).Trim();
        if (bare.Length == 0)
        {
            return string.Empty;
        }

        // A dimensionless ratio is only spelt out on gauges (a utilisation); a counter of "1" is a count.
        if (bare == "1")
        {
            return kind == PrometheusKind.Gauge ? "ratio" : string.Empty;
        }

        var slash = bare.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return Word(bare, Units);
        }

        var numerator = bare[..slash].Trim();
        var denominator = bare[(slash + 1)..].Trim();
        var perWord = denominator.Length == 0 ? string.Empty : Word(denominator, PerUnits);
        if (numerator.Length == 0 || numerator == "1")
        {
            return perWord.Length == 0 ? string.Empty : "per_" + perWord;
        }

        var word = Word(numerator, Units);
        return perWord.Length == 0 ? word : word + "_per_" + perWord;
    }

    private static string Word(string unit, Dictionary<string, string> words) =>
        words.TryGetValue(unit, out var word) ? word : Sanitize(unit).Trim('_');

    private static string StripAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
        {
            return unit;
        }

        var result = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// [a-zA-Z0-9_] only, runs of <c>_</c> collapsed, never starting with a digit. Colons are
    /// valid in Prometheus names but reserved for recording rules, so they go too.
    /// </summary>
    private static string Sanitize(string name)
    {
        var result = new StringBuilder(name.Length + 1);
        if (name.Length > 0 && char.IsAsciiDigit(name[0]))
        {
            result.Append('_');
        }

        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) ? c : '_';
            if (valid == '_' && result.Length > 0 && result[^1] == '_')
            {
                continue;
            }

            result.Append(valid);
        }

        return result.Length == 0 ? "_" : result.ToString();
    }
}
