using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meterai.Gateway.Tests.Observability.Dashboards;

/// <summary>
/// Static checks of every dashboard in dashboards/: what makes a panel useful at 3 a.m. (a query,
/// a unit, a title, a description) and portable (the datasource variable, never a fixed data source).
/// Whether the queries return data is LivePrometheusTests' job.
/// </summary>
public sealed partial class DashboardLintTests
{
    /// <summary>Alerts and links point at these: renaming one breaks them, so it must be deliberate.</summary>
    private static readonly string[] ExpectedUids = ["meterai-distributors", "meterai-gateway", "meterai-oversight"];

    private static readonly string[] GrafanaBuiltIns = ["__rate_interval", "__interval", "__range", "__range_s"];

    private static IReadOnlyList<Dashboard> Dashboards { get; } = Dashboard.LoadAll();

    [Fact]
    public void Dashboards_InRepository_AreTheThreeExpectedWithStableUniqueUids()
    {
        var uids = Dashboards.Select(d => d.Uid).ToList();

        Assert.Equal(ExpectedUids, uids.Order(StringComparer.Ordinal));
        Assert.All(uids, uid => Assert.Matches(StableUid(), uid));
        Assert.Equal(uids.Count, uids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void SchemaVersion_EveryDashboard_IsAtLeast39()
    {
        var failures = Dashboards
            .Where(d => !d.Root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() < 39)
            .Select(d => $"{Path.GetFileName(d.File)}: schemaVersion must be 39 or later")
            .ToList();

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void DatasourceVariable_EveryDashboard_IsAPrometheusDatasourceVariable()
    {
        var failures = new List<string>();
        foreach (var dashboard in Dashboards)
        {
            var variable = dashboard.Variables.FirstOrDefault(v => Dashboard.StringOf(v, "name") == "datasource");
            if (variable.ValueKind != JsonValueKind.Object)
            {
                failures.Add($"{dashboard.Title}: no 'datasource' variable");
                continue;
            }

            if (Dashboard.StringOf(variable, "type") != "datasource" || Dashboard.StringOf(variable, "query") != "prometheus")
            {
                failures.Add($"{dashboard.Title}: the 'datasource' variable must be type datasource with query prometheus");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Panels_EveryDashboard_HaveTitleDescriptionUnitQueriesAndVariableDatasource()
    {
        var failures = new List<string>();
        foreach (var dashboard in Dashboards)
        {
            var panels = dashboard.Panels.ToList();
            if (panels.Count == 0)
            {
                failures.Add($"{dashboard.Title}: no panels");
            }

            foreach (var panel in panels)
            {
                var where = $"{dashboard.Title} / {Dashboard.TitleOf(panel)}";
                if (string.IsNullOrWhiteSpace(Dashboard.StringOf(panel, "title")))
                {
                    failures.Add($"{where}: no title");
                }

                if (string.IsNullOrWhiteSpace(Dashboard.StringOf(panel, "description")))
                {
                    failures.Add($"{where}: no description");
                }

                if (!panel.TryGetProperty("fieldConfig", out var fieldConfig)
                    || !fieldConfig.TryGetProperty("defaults", out var defaults)
                    || string.IsNullOrWhiteSpace(Dashboard.StringOf(defaults, "unit")))
                {
                    failures.Add($"{where}: no unit (fieldConfig.defaults.unit)");
                }

                if (!UsesDatasourceVariable(panel))
                {
                    failures.Add($"{where}: the panel's datasource must be {{\"type\": \"prometheus\", \"uid\": \"${{datasource}}\"}}");
                }

                var targets = Dashboard.Targets(panel).ToList();
                if (targets.Count == 0)
                {
                    failures.Add($"{where}: no targets");
                }

                foreach (var target in targets)
                {
                    var refId = Dashboard.StringOf(target, "refId") ?? "?";
                    if (string.IsNullOrWhiteSpace(Dashboard.StringOf(target, "expr")))
                    {
                        failures.Add($"{where} / {refId}: no query (expr)");
                    }

                    if (target.TryGetProperty("datasource", out _) && !UsesDatasourceVariable(target))
                    {
                        failures.Add($"{where} / {refId}: the target's datasource must be the datasource variable");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Queries_EveryDashboard_UseOnlyDefinedVariables()
    {
        var failures = new List<string>();
        foreach (var dashboard in Dashboards)
        {
            var defined = dashboard.VariableNames.Concat(GrafanaBuiltIns).ToHashSet(StringComparer.Ordinal);
            foreach (var query in dashboard.Queries)
            {
                failures.AddRange(Dashboard.VariablesIn(query.Expr).Where(v => !defined.Contains(v)).Select(v => $"{query}: ${v} is not a variable of the dashboard"));
            }

            foreach (var variable in dashboard.Variables.Where(v => Dashboard.StringOf(v, "type") == "query"))
            {
                if (!variable.TryGetProperty("datasource", out var source) || Dashboard.StringOf(source, "uid") != "${datasource}")
                {
                    failures.Add($"{dashboard.Title}: variable {Dashboard.StringOf(variable, "name")} must query the datasource variable");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [InlineData("(histogram_quantile(0.9, sum by (le) (rate(meterai_queue_wait_seconds_bucket[$__rate_interval]))) >= 0) or vector(0)", "meterai_queue_wait_seconds_bucket")]
    [InlineData("max(rate(meterai_queue_places_lost_total{job=\"x\"}[5m])) / on () group_left (a) meterai:selling_capacity:sum", "meterai_queue_places_lost_total meterai:selling_capacity:sum")]
    [InlineData("count((max by (distributor) (meterai_distributor_up) == 1) and on (distributor) (max by (distributor) (meterai_distributor_stock) > 0)) or (0 * count(up))", "meterai_distributor_up meterai_distributor_stock up")]
    public void MetricNamesIn_PanelQuery_NamesEverySeriesButNoFunctionLabelOrKeyword(string expr, string expected)
    {
        Assert.Equal(expected.Split(' '), Dashboard.MetricNamesIn(expr));
    }

    [Fact]
    public void DistributorVariable_Distributors_IsMultiWithAllMatchingEverything()
    {
        var dashboard = Assert.Single(Dashboards, d => d.Uid == "meterai-distributors");
        var variable = dashboard.Variables.Single(v => Dashboard.StringOf(v, "name") == "distributor");

        Assert.True(variable.GetProperty("includeAll").GetBoolean());
        Assert.True(variable.GetProperty("multi").GetBoolean());
        Assert.Equal(".*", Dashboard.StringOf(variable, "allValue"));

        // Multi-value needs a regex match: distributor="$distributor" would never match "d01|d02".
        Assert.All(
            dashboard.Queries.Where(q => q.Expr.Contains("$distributor", StringComparison.Ordinal)),
            q => Assert.Contains("distributor=~\"$distributor\"", q.Expr, StringComparison.Ordinal));
    }

    [Fact]
    public void Provisioning_Files_PointAtTheDashboardsAndPrometheus()
    {
        var datasources = File.ReadAllText(RepositoryFiles.PathOf("dashboards", "provisioning", "datasources", "prometheus.yml"));
        var providers = File.ReadAllText(RepositoryFiles.PathOf("dashboards", "provisioning", "dashboards", "meterai.yml"));

        Assert.Contains("type: prometheus", datasources, StringComparison.Ordinal);
        Assert.Contains("url: http://prometheus:9090", datasources, StringComparison.Ordinal);
        Assert.Contains("path: /var/lib/grafana/dashboards", providers, StringComparison.Ordinal);
    }

    private static bool UsesDatasourceVariable(JsonElement element) =>
        element.TryGetProperty("datasource", out var source)
        && source.ValueKind == JsonValueKind.Object
        && Dashboard.StringOf(source, "uid") is "${datasource}" or "$datasource"
        && Dashboard.StringOf(source, "type") is null or "prometheus";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex StableUid();
}
