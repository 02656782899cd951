using System.Globalization;
using System.Text.RegularExpressions;
using Meterai.Gateway.Pages;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// Times on the regulator pages, in the zone the reports are counted in (Oversight:ReportUtcOffsetHours,
/// WIB by default). JSON and CSV keep UTC; only what a person reads is local.
/// </summary>
internal sealed partial class ReaderClock(TimeSpan offset)
{
    public static readonly ReaderClock Wib = new(TimeSpan.FromHours(7));

    public TimeSpan Offset { get; } = offset;

    /// <summary>WIB, WITA, WIT for Indonesia's three zones; otherwise "UTC+5:30" and the like.</summary>
    public string Zone => Offset.TotalMinutes switch
    {
        420 => "WIB",
        480 => "WITA",
        540 => "WIT",
        0 => "UTC",
        _ => "UTC" + (Offset < TimeSpan.Zero ? "-" : "+") + Offset.Duration().ToString(Offset.Minutes == 0 ? "%h" : @"h\:mm", CultureInfo.InvariantCulture),
    };

    public static ReaderClock From(OversightOptions options) => new(TimeSpan.FromHours(options.ReportUtcOffsetHours));

    public DateTimeOffset Local(DateTimeOffset at) => at.ToOffset(Offset);

    /// <summary>"22 Nov 2026 14:05 WIB" inside a &lt;time&gt; that carries the UTC instant.</summary>
    public Html Time(DateTimeOffset at) =>
        Html.Of($"""<time datetime="{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}">{Text(at)}</time>""");

    public string Text(DateTimeOffset at) => Local(at).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + " " + Zone;

    /// <summary>"7 Dec 14:00": an hour's row in the report's tables.</summary>
    public string Hour(DateTimeOffset at) => Local(at).ToString("d MMM HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A chart's axis label: the hour, or the day when the chart spans more than two days.</summary>
    public string AxisLabel(DateTimeOffset hour, int hours) =>
        Local(hour).ToString(hours > 48 ? "d MMM" : "HH:mm", CultureInfo.InvariantCulture);

    /// <summary>
    /// A stored sentence (a report's finding, in UTC as the JSON keeps it) with each of its times
    /// (<see cref="ActivityRules.Format"/>) put in this zone. Nothing else in the sentence changes.
    /// </summary>
    public string Localise(string sentence) =>
        UtcTime().Replace(sentence, m => DateTimeOffset.TryParseExact(
            m.Value, "d MMMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Text(at) : m.Value);

    /// <summary>A period, with the date once when both ends fall on the same local day.</summary>
    public string Period(DateTimeOffset from, DateTimeOffset to)
    {
        var (f, t) = (Local(from), Local(to));
        return f.Date == t.Date
            ? $"{f.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture)}–{t.ToString("HH:mm", CultureInfo.InvariantCulture)} {Zone}"
            : $"{Text(from)} – {Text(to)}";
    }

    /// <summary>
    /// The evidence sentence the rules wrote (in UTC, as stored and as the API returns it) with its
    /// own period's two times put in this zone. Nothing else in the sentence changes.
    /// </summary>
    public string Sentence(FlagEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return evidence.Summary
            .Replace(ActivityRules.Format(evidence.From), Text(evidence.From), StringComparison.Ordinal)
            .Replace(ActivityRules.Format(evidence.To), Text(evidence.To), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\b\d{1,2} [A-Z][a-z]+ \d{4} \d\d:\d\d UTC\b")]
    private static partial Regex UtcTime();
}

/// <summary>The flags' reasons in plain words, Indonesian and English; the code stays in the API, the CSV and a title.</summary>
internal static class FlagNames
{
    private static readonly Dictionary<string, (string Id, string En)> Names = new(StringComparer.Ordinal)
    {
        [FlagReasons.Unreachable] = ("Tidak dapat dihubungi", "Unreachable"),
        [FlagReasons.NoStock] = ("Stok habis", "Out of stock"),
        [FlagReasons.NoSales] = ("Tidak menjual", "Not selling"),
        [FlagReasons.Undelivered] = ("Dibayar, tidak dikirim", "Paid, not delivered"),
        [FlagReasons.Overcharged] = ("Menagih lebih", "Overcharged"),
    };

    /// <summary>The reason's names; an unknown code (a newer gateway's) is shown as it is in both.</summary>
    public static (string Id, string En) Of(string reason) =>
        Names.TryGetValue(reason, out var names) ? names : (reason, reason);

    /// <summary>A small label: "Stok habis / Out of stock", each half marked with its language, the code in its title.</summary>
    public static Html Badge(string reason)
    {
        var (id, en) = Of(reason);
        return Html.Of($"""<span class="flag" title="{reason}"><span lang="id">{id}</span> / {en}</span>""");
    }
}

/// <summary>Numbers as the reports write them.</summary>
internal static class Figures
{
    /// <summary>A count with thousands separators (999.987), as in the report; "–" when unknown.</summary>
    public static string Count(long? value) => value is { } v ? ReportCharts.Count(v) : "–";

    public static string Percent(double? share) => OversightPages.Percent(share);
}

/// <summary>A flag with its evidence, as the oversight pages list it.</summary>
internal static class FlagHtml
{
    /// <summary>The reason in words, when it opened (and closed), and the rules' sentence with the numbers.</summary>
    public static Html Item(FlagView flag, ReaderClock clock) => Html.Of($"""
        <li class="evidence-item">{FlagNames.Badge(flag.Reason)}
        <span class="muted"><span lang="id">dibuka</span> / opened {clock.Time(flag.OpenedAt)}{(flag.ResolvedAt is { } resolved ? Html.Of($"; <span lang=\"id\">selesai</span> / resolved {clock.Time(resolved)}") : Html.Empty)}</span>
        <p>{clock.Sentence(flag.Evidence)}</p></li>
        """);

    public static Html List(IEnumerable<FlagView> flags, ReaderClock clock) =>
        Html.Of($"""<ul class="evidence">{Html.Join(flags.Select(f => Item(f, clock)))}</ul>""");
}
