using Meterai.Gateway.Oversight;

namespace Meterai.Gateway.Tests.Oversight;

public sealed class ReportCsvTests
{
    [Fact]
    public void Write_Report_OneRowPerDistributorWithHeader()
    {
        var csv = ReportCsv.Write(Report(Row("d01", "PT Satu"), Row("d02", "PT Dua")));

        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("distributor_id,name,state,availability", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("d01,PT Satu,active,0.75,8,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Header_LaterColumnsAppendedAfterTheEarlierOnesInTheirPlaces()
    {
        var header = ReportCsv.Write(Report(Row("d01", "PT Satu"))).Split("\r\n")[0];

        // Readers address columns by position: a column added later only ever goes at the end.
        Assert.Equal(
            "distributor_id,name,state,availability,probes,stock_out_probes,orders_issued,emeterai_issued,"
            + "failures,undelivered,refunds_owed,refunds_owed_amount,refunds_made,refunds_made_amount,flags,"
            + "period_from,period_to,unresolved,orphans_delivered,"
            + "overcharges,overcharge_amount_charged,overcharge_amount_due,overcharged_orders,"
            + "refused,ambiguous,reachability,selling_when_built,observed_seconds,period_seconds",
            header);
    }

    [Theory]
    [InlineData("PT Koma, Tbk", "\"PT Koma, Tbk\"")]
    [InlineData("PT \"Kutip\"", "\"PT \"\"Kutip\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    public void Write_AwkwardName_EscapesAndNeutralisesFormulas(string name, string expectedCell)
    {
        var csv = ReportCsv.Write(Report(Row("d01", name)));

        Assert.Contains("d01," + expectedCell + ",active", csv, StringComparison.Ordinal);
    }

    private static ReportDistributorRow Row(string id, string name) =>
        new(id, name, "active", 0.75, 8, 1, 5, 7, 0, 0, 0, 0, 0, 0, []);

    private static OversightReport Report(params ReportDistributorRow[] rows) => new(
        "rpt_test", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1), DateTimeOffset.UnixEpoch.AddDays(1),
        rows.Length, rows.Length, [], new ReportTotals(0, 0, 0, 0, 0, 0, 0, 0), rows);
}
