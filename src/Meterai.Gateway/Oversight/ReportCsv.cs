using System.Globalization;
using System.Text;

namespace Meterai.Gateway.Oversight;

/// <summary>The report as CSV: one row a distributor (RFC 4180), safe to open in a spreadsheet.</summary>
/// <remarks>
/// Distributors removed from the registry that still hold open purchases follow the registered
/// ones, with state <c>removed</c>: only what they still owe is filled in (refunds owed and
/// <c>unresolved</c>, which registered rows leave empty, their figures being the period's). The
/// last columns come last so that earlier ones keep their positions for existing readers. The
/// overcharge columns sum each distributor's orders charged above their due in the period; the
/// orders themselves, one by one, are in the JSON, HTML and PDF forms.
/// <c>failures</c> is <c>refused</c> + <c>ambiguous</c>; <c>availability</c> is the share of the
/// observed time it was able to sell, <c>reachability</c> the share of probes it answered healthy.
/// </remarks>
internal static class ReportCsv
{
    private static readonly string[] Header =
    [
        "distributor_id", "name", "state", "availability", "probes", "stock_out_probes", "orders_issued", "emeterai_issued",
        "failures", "undelivered", "refunds_owed", "refunds_owed_amount", "refunds_made", "refunds_made_amount", "flags",
        "period_from", "period_to", "unresolved", "orphans_delivered",
        "overcharges", "overcharge_amount_charged", "overcharge_amount_due", "overcharged_orders",
        "refused", "ambiguous", "reachability", "selling_when_built", "observed_seconds", "period_seconds",
    ];

    public static string Write(OversightReport report)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', Header).Append("\r\n");
        var orphans = (report.OrphanOrders ?? []).CountBy(o => o.DistributorId, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        var from = report.From.UtcDateTime.ToString("o", CultureInfo.InvariantCulture);
        var to = report.To.UtcDateTime.ToString("o", CultureInfo.InvariantCulture);
        var observed = report.Coverage is { } c ? Number((long)Math.Round(c.ObservedSeconds)) : "";
        var period = Number((long)Math.Round((report.To - report.From).TotalSeconds));
        foreach (var row in report.Distributors)
        {
            string[] cells =
            [
                row.Id, row.Name, row.State,
                Share(row.Availability),
                Number(row.Probes), Number(row.StockOutProbes), Number(row.OrdersIssued), Number(row.EMeteraiIssued),
                Number(row.Failures), Number(row.Undelivered), Number(row.RefundsOwed), Number(row.RefundsOwedAmount),
                Number(row.RefundsMade), Number(row.RefundsMadeAmount), string.Join(' ', row.Flags),
                from, to, "", Number(orphans.GetValueOrDefault(row.Id)),
                .. Overcharges(report, row.Id),
                Optional(row.Refused), Optional(row.Ambiguous), Share(row.Reachability),
                row.SellingWhenBuilt is { } selling ? (selling ? "true" : "false") : "", observed, period,
            ];
            csv.AppendJoin(',', cells.Select(Escape)).Append("\r\n");
        }

        foreach (var removed in report.RemovedDistributors ?? [])
        {
            string[] cells =
            [
                removed.Id, "", "removed", "", "", "", "", "", "", "", Number(removed.RefundsOwed), Number(removed.RefundsOwedAmount), "", "", "",
                from, to, Number(removed.Unresolved), Number(orphans.GetValueOrDefault(removed.Id)),
                .. Overcharges(report, removed.Id),
                "", "", "", "", observed, period,
            ];
            csv.AppendJoin(',', cells.Select(Escape)).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>A distributor's overcharges in the period: how many, both amounts summed, and the orders (space-separated, as flags are).</summary>
    private static string[] Overcharges(OversightReport report, string distributorId)
    {
        var own = (report.Overcharges ?? []).Where(o => o.DistributorId == distributorId).ToList();
        return
        [
            Number(own.Count), Number(own.Sum(o => o.AmountCharged)), Number(own.Sum(o => o.AmountDue)), string.Join(' ', own.Select(o => o.OrderId)),
        ];
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Optional(int? value) => value is { } v ? Number(v) : "";

    private static string Share(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "";

    private static string Escape(string cell)
    {
        // A name starting with = + - @ would run as a formula in a spreadsheet: keep it text.
        if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            cell = "'" + cell;
        }

        return cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }
}
