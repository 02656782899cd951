using System.Globalization;
using System.Text;

namespace Meterai.Gateway.Oversight;

/// <summary>The report as CSV: one row a distributor (RFC 4180), safe to open in a spreadsheet.</summary>
public static class ReportCsv
{
    private static readonly string[] Header =
    [
        "distributor_id", "name", "state", "availability", "probes", "stock_out_probes", "orders_issued", "emeterai_issued",
        "failures", "undelivered", "refunds_owed", "refunds_owed_amount", "refunds_made", "refunds_made_amount", "flags",
        "period_from", "period_to",
    ];

    public static string Write(OversightReport report)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', Header).Append("\r\n");
        foreach (var row in report.Distributors)
        {
            string[] cells =
            [
                row.Id, row.Name, row.State,
                row.Availability is { } a ? a.ToString("0.####", CultureInfo.InvariantCulture) : "",
                Number(row.Probes), Number(row.StockOutProbes), Number(row.OrdersIssued), Number(row.EMeteraiIssued),
                Number(row.Failures), Number(row.Undelivered), Number(row.RefundsOwed), Number(row.RefundsOwedAmount),
                Number(row.RefundsMade), Number(row.RefundsMadeAmount), string.Join(' ', row.Flags),
                report.From.UtcDateTime.ToString("o", CultureInfo.InvariantCulture), report.To.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ];
            csv.AppendJoin(',', cells.Select(Escape)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

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
