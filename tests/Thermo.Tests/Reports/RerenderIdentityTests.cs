using System.Text;
using Thermo.Reports;

namespace Thermo.Tests.Reports;

/// <summary>
/// `thermo report` re-renders from report.json alone, so what a number renders as must not change on the way
/// through JSON (issue 12, item 17): a whole double such as 5.0 or 2·10⁶ used to read back as the integer 5 or
/// 2000000, and then render differently.
/// </summary>
public class RerenderIdentityTests
{
    static readonly double[] Whole = [5.0, 0.0, -3.0, 1e6, 2.5e6, 1234567.0, 1e15, 1e21, -0.0, 100.0];

    static RunReport Report()
    {
        var report = new RunReport("whole numbers");
        var table = new ReportTable("plain", "F1", "P0", "integer");
        for (int i = 0; i < Whole.Length; i++)
        {
            report.Result($"value_{i}", Whole[i]);
            table.Row(Whole[i], Whole[i], Whole[i] / 100, (long)Whole[i]);
        }
        report.Section("Numbers").Table(table.Format(1, "F1").Format(2, "P0"));
        return report;
    }

    [Fact]
    public void Whole_doubles_keep_their_kind_and_render_the_same_after_a_trip_through_report_json()
    {
        var original = Report();
        string markdown = ReportMarkdown.Render(original);
        var loaded = ReportJson.Parse(ReportJson.Serialize(original));
        for (int i = 0; i < Whole.Length; i++)
        {
            Assert.Equal(ReportValueKind.Number, loaded.Results[$"value_{i}"].Kind);
            Assert.Equal(BitConverter.DoubleToInt64Bits(Whole[i]), BitConverter.DoubleToInt64Bits(loaded.Results[$"value_{i}"].AsDouble()));
        }
        Assert.Equal(markdown, ReportMarkdown.Render(loaded));
        Assert.Equal(ReportHtml.Render(original, []), ReportHtml.Render(loaded, []));
        Assert.Equal(Encoding.UTF8.GetString(ReportJson.Serialize(original)), Encoding.UTF8.GetString(ReportJson.Serialize(loaded)));
    }

    [Fact]
    public void A_report_json_written_by_hand_with_5_point_0_re_serialises_byte_for_byte()
    {
        var json = Encoding.UTF8.GetString(ReportJson.Serialize(Report()));
        Assert.Contains("\"value_0\": 5.0", json);
        Assert.Equal(json, Encoding.UTF8.GetString(ReportJson.Serialize(ReportJson.Parse(Encoding.UTF8.GetBytes(json)))));
    }
}
