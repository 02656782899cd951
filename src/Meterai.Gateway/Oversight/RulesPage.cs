using Markdig;
using Markdig.Syntax;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// /oversight/rules: docs/oversight-rules.md itself (embedded in the gateway, so the page and the
/// repository never differ), under the thresholds this gateway runs with.
/// </summary>
internal sealed class RulesPage : PageComponent
{
    private const string Resource = "Meterai.Gateway.Oversight.oversight-rules.md";

    // No raw HTML from the file reaches the page; pipe tables as the file writes them.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    private static readonly Lazy<string> Rendered = new(Render);

    [Parameter, EditorRequired]
    public OversightOptions Rules { get; set; } = null!;

    protected override string Title => "Aturan aktivitas distributor / Distributor activity rules";

    protected override string Lang => "en";

    protected override Html Content()
    {
        var r = Rules;
        var clock = ReaderClock.From(r);
        return Html.Of($"""
            <p class="no-print"><a href="{OversightPaths.Home}">← <span lang="id">Pengawasan distributor</span> / Distributor oversight</a></p>
            <section class="summary" id="in-force">
            <h2><span lang="id">Yang berlaku di gateway ini</span> / In force on this gateway</h2>
            <div class="table-wrap"><table>
            <tbody>
            <tr><th scope="row">Audit</th><td>every {r.AuditIntervalMinutes:0.##} minutes, judging the last {r.AuditWindowMinutes:0.##} minutes</td></tr>
            <tr><th scope="row">{FlagNames.Badge(FlagReasons.Unreachable)}</th><td>healthy in fewer than {Figures.Percent(r.AvailabilityThreshold)} of probes (at least {r.MinimumProbes} probes)</td></tr>
            <tr><th scope="row">{FlagNames.Badge(FlagReasons.NoStock)}</th><td>sold out in at least {Figures.Percent(r.SoldOutThreshold)} of healthy probes</td></tr>
            <tr><th scope="row">{FlagNames.Badge(FlagReasons.NoSales)}</th><td>issued nothing while offered orders, or while the others issued at least {r.MinimumFleetSales} orders</td></tr>
            <tr><th scope="row">{FlagNames.Badge(FlagReasons.Undelivered)}</th><td>at least {r.UndeliveredThreshold} paid purchases not delivered within the delivery deadline</td></tr>
            <tr><th scope="row">{FlagNames.Badge(FlagReasons.Overcharged)}</th><td>any order charged above quantity × {ReportBuilder.Rupiah(OrderAmounts.PerEMeterai)} in the audit window</td></tr>
            <tr><th scope="row">Reports</th><td>every {r.ReportIntervalHours:0.##} hours from {r.ReportBoundaryHour:00}:00 {clock.Zone}</td></tr>
            </tbody></table></div>
            </section>
            <article class="prose" id="rules">{Html.Trusted(Rendered.Value)}</article>
            """);
    }

    /// <summary>The file as HTML, its own title dropped: the page's h1 says it, and its sections stay h2 under that.</summary>
    internal static string Render()
    {
        using var stream = typeof(RulesPage).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded rules ({Resource}) are missing from the build.");
        using var reader = new StreamReader(stream);
        var document = Markdown.Parse(reader.ReadToEnd(), Pipeline);
        if (document.FirstOrDefault() is HeadingBlock { Level: 1 } title)
        {
            document.Remove(title);
        }

        return document.ToHtml(Pipeline);
    }
}
