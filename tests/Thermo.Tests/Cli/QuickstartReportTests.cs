using System.Security.Cryptography;
using Thermo.Tests.Data;

namespace Thermo.Tests.Cli;

/// <summary>What quickstart's report says about another dataset, and `thermo report` re-rendering it (issue 12, item 17).</summary>
public sealed class QuickstartReportTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Quickstart_on_another_dataset_names_it_and_its_report_re_renders_byte_for_byte()
    {
        string data = dir.File("digits");
        InterruptTests.WriteDigits(data, trainCount: 300, testCount: 40);
        string run = dir.File("run");
        var env = new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("cache") };
        var r = CliRunner.Run(env, TimeSpan.FromMinutes(3), "quickstart", "--dataset", data, "--eval-examples", "20", "--out", run, "--threads", "2");
        Assert.True(r.Exit == 0, r.Err);

        string markdown = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("# Quickstart: quickstart on digits", markdown);
        Assert.Contains("20 digits test images", markdown);
        Assert.DoesNotContain("MNIST", markdown);
        Assert.DoesNotContain("mnist/", File.ReadAllText(Path.Combine(run, "report.json")));

        string again = dir.File("again");
        var rerender = CliRunner.Run(env, TimeSpan.FromMinutes(3), "report", run, "--out", again);
        Assert.True(rerender.Exit == 0, rerender.Err);
        var files = Directory.GetFiles(run, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(run, f))
            .Where(f => f.StartsWith("report.", StringComparison.Ordinal) || f.StartsWith("figures", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, Directory.GetFiles(again, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(again, f)).Order(StringComparer.Ordinal).ToArray());
        foreach (var f in files)
            Assert.True(SHA256.HashData(File.ReadAllBytes(Path.Combine(run, f))).SequenceEqual(SHA256.HashData(File.ReadAllBytes(Path.Combine(again, f)))), $"{f} differs after `thermo report`");
    }
}
