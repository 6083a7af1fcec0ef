using Thermo.Reports;

namespace Thermo.Tests.Reports;

/// <summary>Issue 12, item 17: key-result tables listed G1, G16, G2, …; numbers in names now sort as numbers.</summary>
public class NaturalOrderTests
{
    [Fact]
    public void Key_results_list_samples_per_block_in_numeric_order()
    {
        var report = new RunReport("sweep", ReportKind.Train);
        foreach (int g in new[] { 64, 1, 16, 2, 8, 4, 32 }) report.Result($"gibbs_accuracy_G{g}", g / 100.0);
        report.Result("surrogate_accuracy", 0.9);

        Assert.Equal(["gibbs_accuracy_G1", "gibbs_accuracy_G2", "gibbs_accuracy_G4", "gibbs_accuracy_G8", "gibbs_accuracy_G16",
            "gibbs_accuracy_G32", "gibbs_accuracy_G64", "surrogate_accuracy"], report.Results.Keys.ToArray());
        // The rendered table keeps that order.
        var shown = System.Text.RegularExpressions.Regex.Matches(ReportMarkdown.Render(report), @"accuracy\\?_G(\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal([1, 2, 4, 8, 16, 32, 64], shown);
    }

    [Theory]
    [InlineData("a2", "a10", -1)]
    [InlineData("a10", "a2", 1)]
    [InlineData("a", "a1", -1)]
    [InlineData("b1", "a2", 1)]
    [InlineData("G1", "G01", 1)]
    [InlineData("x99999999999999999999", "x100000000000000000000", -1)]
    [InlineData("same", "same", 0)]
    public void Digit_runs_compare_as_numbers_and_the_order_stays_total(string x, string y, int sign)
    {
        Assert.Equal(sign, Math.Sign(NaturalOrder.Instance.Compare(x, y)));
        Assert.Equal(-sign, Math.Sign(NaturalOrder.Instance.Compare(y, x)));
    }
}
