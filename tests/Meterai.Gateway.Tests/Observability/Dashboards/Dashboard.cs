using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meterai.Gateway.Tests.Observability.Dashboards;

/// <summary>A panel's query: which dashboard and panel it belongs to, its refId and its PromQL as written in Grafana.</summary>
internal sealed record PanelQuery(string Dashboard, string Panel, string RefId, string Expr)
{
    public override string ToString() => $"{Dashboard} / {Panel} / {RefId}";
}

/// <summary>One dashboard JSON of dashboards/, read as JSON (no Grafana needed).</summary>
internal sealed partial class Dashboard
{
    private Dashboard(string file, JsonElement root)
    {
        File = file;
        Root = root;
    }

    public string File { get; }

    public JsonElement Root { get; }

    public string Uid => Root.TryGetProperty("uid", out var uid) && uid.ValueKind == JsonValueKind.String ? uid.GetString()! : "";

    public string Title => Root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String ? title.GetString()! : Path.GetFileName(File);

    public IEnumerable<JsonElement> Variables =>
        Root.TryGetProperty("templating", out var templating) && templating.TryGetProperty("list", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray()
            : [];

    public IReadOnlyCollection<string> VariableNames => Variables
        .Where(v => v.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
        .Select(v => v.GetProperty("name").GetString()!)
        .ToList();

    /// <summary>Every panel that shows data: rows are left out, the panels inside collapsed rows are included.</summary>
    public IEnumerable<JsonElement> Panels
    {
        get
        {
            if (!Root.TryGetProperty("panels", out var panels) || panels.ValueKind != JsonValueKind.Array)
            {
                yield break;
            }

            foreach (var panel in panels.EnumerateArray())
            {
                if (TypeOf(panel) == "row")
                {
                    if (panel.TryGetProperty("panels", out var inner) && inner.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var nested in inner.EnumerateArray())
                        {
                            yield return nested;
                        }
                    }

                    continue;
                }

                yield return panel;
            }
        }
    }

    public IEnumerable<PanelQuery> Queries =>
        from panel in Panels
        from target in Targets(panel)
        select new PanelQuery(Title, TitleOf(panel), StringOf(target, "refId") ?? "?", StringOf(target, "expr") ?? "");

    public static IReadOnlyList<Dashboard> LoadAll()
    {
        var files = Directory.GetFiles(RepositoryFiles.DashboardsDirectory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        return files.Select(Load).ToList();
    }

    public static Dashboard Load(string file)
    {
        using var document = JsonDocument.Parse(System.IO.File.ReadAllText(file));
        return new Dashboard(file, document.RootElement.Clone());
    }

    public static string TypeOf(JsonElement panel) => StringOf(panel, "type") ?? "";

    public static string TitleOf(JsonElement panel) => StringOf(panel, "title") is { Length: > 0 } title
        ? title
        : "panel " + (panel.TryGetProperty("id", out var id) ? id.ToString() : "?");

    public static IEnumerable<JsonElement> Targets(JsonElement panel) =>
        panel.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Array ? targets.EnumerateArray() : [];

    public static string? StringOf(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Grafana variables a query uses: $name, ${name} and ${name:format}.</summary>
    public static IEnumerable<string> VariablesIn(string expr) =>
        VariableReference().Matches(expr).Select(m => m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The series names a query selects (metric families, histogram _bucket/_count series, recording
    /// rules): what is left once strings, label matchers, ranges, grouping clauses, functions and
    /// keywords are taken out. A fallback such as <c>or vector(0)</c> hides a misspelt name from a
    /// query's result, never from this list.
    /// </summary>
    public static IReadOnlyList<string> MetricNamesIn(string expr)
    {
        var bare = Grouping().Replace(Brackets().Replace(StringLiteral().Replace(expr, ""), ""), "");
        return Identifier().Matches(bare)
            .Where(m => !m.Groups["call"].Success && !PromQlKeywords.Contains(m.Groups["name"].Value))
            .Select(m => m.Groups["name"].Value)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static readonly HashSet<string> PromQlKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan",
    };

    /// <summary>
    /// A panel query as Prometheus gets it from Grafana: $distributor (every value) becomes .*
    /// (queries match it with =~), the interval variables a fixed duration.
    /// </summary>
    public static string Substitute(string expr, TimeSpan rateInterval, TimeSpan range) =>
        VariableReference().Replace(expr, match =>
        {
            var name = match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["plain"].Value;
            return name switch
            {
                "__rate_interval" or "__interval" => Duration(rateInterval),
                "__range" => Duration(range),
                "__range_s" => ((long)range.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                "distributor" => ".*",
                _ => throw new InvalidOperationException($"No test value for Grafana variable ${name} in: {expr}"),
            };
        });

    private static string Duration(TimeSpan span) => ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}|\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w:.$])(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z0-9_]+)(?::[A-Za-z]+)?\}|(?<plain>[A-Za-z0-9_]+))")]
    private static partial Regex VariableReference();
}
