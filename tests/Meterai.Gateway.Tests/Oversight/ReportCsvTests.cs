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
