using System.Text.RegularExpressions;
using Meterai.Gateway.Tests.Observability.Dashboards;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Observability.Alerting;

/// <summary>
/// The Prometheus configuration and rules in deploy/prometheus, checked by the real promtool: the
/// config loads (with its rule files, resolved relative to it as in the container), the rules
/// parse, and every rule's unit tests (deploy/prometheus/tests) pass.
/// </summary>
public sealed partial class PromtoolTests
{
    private static string Directory => RepositoryFiles.PrometheusDirectory;

    [Fact]
    public async Task CheckConfig_DeployPrometheusYml_Succeeds()
    {
        var result = await Promtool.RunAsync(Directory, "check", "config", "prometheus.yml");

        Assert.True(result.ExitCode == 0, $"promtool check config {result}");
        Assert.Contains("rule files found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckRules_EveryRuleFile_Succeeds()
    {
        var files = RuleFiles();
        Assert.NotEmpty(files);

        var result = await Promtool.RunAsync(Directory, ["check", "rules", .. files]);

        Assert.True(result.ExitCode == 0, $"promtool check rules {result}");
    }

    [Fact]
    public async Task TestRules_EveryTestFile_Passes()
    {
        var files = System.IO.Directory.GetFiles(Path.Combine(Directory, "tests"), "*.yml").Select(f => Path.GetRelativePath(Directory, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);

        var result = await Promtool.RunAsync(Directory, ["test", "rules", .. files]);

        Assert.True(result.ExitCode == 0, $"promtool test rules {result}");
    }

    [Fact]
    public void Alerts_EveryRule_HasSeveritySummaryDescriptionRunbookAndTests()
    {
        var rules = string.Join(Environment.NewLine, RuleFiles().Select(f => File.ReadAllText(Path.Combine(Directory, f))));
        var tests = string.Join(Environment.NewLine, System.IO.Directory.GetFiles(Path.Combine(Directory, "tests"), "*.yml").Select(File.ReadAllText));
        var runbook = File.ReadAllText(Path.Combine(Directory, "RUNBOOK.md"));

        // One block per alert: from "- alert:" to the next rule.
        var blocks = AlertBlock().Matches(rules).Select(m => (Name: m.Groups["name"].Value, Body: m.Value)).ToList();
        Assert.NotEmpty(blocks);

        var failures = new List<string>();
        foreach (var (name, body) in blocks)
        {
            foreach (var required in new[] { "severity:", "summary:", "description:", "runbook_url:" })
            {
                if (!body.Contains(required, StringComparison.Ordinal))
                {
                    failures.Add($"{name}: no {required}");
                }
            }

            if (!body.Contains("$labels", StringComparison.Ordinal) && !body.Contains("$value", StringComparison.Ordinal))
            {
                failures.Add($"{name}: the annotations say neither $labels nor $value");
            }

            if (!runbook.Contains("## " + name, StringComparison.Ordinal))
            {
                failures.Add($"{name}: no section in RUNBOOK.md");
            }

            // A fire case (exp_labels under the alert) and a not-fire case (exp_alerts: []).
            var cases = Regex.Matches(tests, @"- alertname: " + Regex.Escape(name) + @"\s+eval_time: \S+\s+exp_alerts:(?=(?<rest>.{0,20}))", RegexOptions.Singleline);
            if (!cases.Any(c => c.Groups["rest"].Value.TrimStart().StartsWith("[]", StringComparison.Ordinal)))
            {
                failures.Add($"{name}: no promtool case where it does not fire");
            }

            if (!cases.Any(c => !c.Groups["rest"].Value.TrimStart().StartsWith("[]", StringComparison.Ordinal)))
            {
                failures.Add($"{name}: no promtool case where it fires");
            }
        }

        var dashboards = Dashboard.LoadAll().Select(d => d.Uid).ToHashSet(StringComparer.Ordinal);
        failures.AddRange(DashboardLink().Matches(rules).Select(m => m.Groups["uid"].Value).Where(uid => !dashboards.Contains(uid)).Select(uid => $"dashboard link /d/{uid}: no such dashboard"));

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void RunbookUrls_EveryRuleAndTest_AbsoluteFromTheOneBase()
    {
        var rules = string.Join(Environment.NewLine, RuleFiles().Select(f => File.ReadAllText(Path.Combine(Directory, f))));
        var tests = string.Join(Environment.NewLine, System.IO.Directory.GetFiles(Path.Combine(Directory, "tests"), "*.yml").Select(File.ReadAllText));
        var runbook = File.ReadAllText(Path.Combine(Directory, "RUNBOOK.md"));
        var declared = RunbookBase().Match(rules);
        Assert.True(declared.Success, "the rules declare no '# RUNBOOK_BASE: https://...'");
        var runbookBase = declared.Groups["url"].Value;

        var failures = new List<string>();
        foreach (Match block in AlertBlock().Matches(rules))
        {
            var name = block.Groups["name"].Value;
            var expected = $"runbook_url: \"{runbookBase}#{name.ToLowerInvariant()}\"";
            if (!block.Value.Contains(expected, StringComparison.Ordinal))
            {
                failures.Add($"{name}: its runbook_url is not {expected}");
            }
        }

        failures.AddRange(RunbookUrl().Matches(rules + tests)
            .Where(m => !m.Groups["url"].Value.StartsWith(runbookBase + "#", StringComparison.Ordinal))
            .Select(m => $"runbook_url {m.Groups["url"].Value} is not under {runbookBase}"));
        failures.AddRange(RunbookUrl().Matches(rules + tests)
            .Select(m => m.Groups["url"].Value[(runbookBase.Length + 1)..])
            .Where(anchor => !runbook.Contains("## " + anchor, StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .Select(anchor => $"#{anchor}: no such section in RUNBOOK.md"));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static string[] RuleFiles() =>
        System.IO.Directory.GetFiles(Path.Combine(Directory, "rules"), "*.yml").Select(f => Path.GetRelativePath(Directory, f)).Order(StringComparer.Ordinal).ToArray();

    [GeneratedRegex(@"- alert: (?<name>\w+).*?(?=\n\s*- (alert|record):|\n\s*- name:|\z)", RegexOptions.Singleline)]
    private static partial Regex AlertBlock();

    [GeneratedRegex(@"^# RUNBOOK_BASE: (?<url>https://\S+)$", RegexOptions.Multiline)]
    private static partial Regex RunbookBase();

    [GeneratedRegex(@"runbook_url: ""(?<url>[^""]+)""")]
    private static partial Regex RunbookUrl();

    [GeneratedRegex(@"dashboard: ""/d/(?<uid>[a-z0-9-]+)""")]
    private static partial Regex DashboardLink();
}
