using System.CommandLine;
using Thermo.Cli;
using Thermo.Cli.Commands;
using Thermo.Reports;
using Thermo.Tests.IO;
using Thermo.Tests.Reports;

namespace Thermo.Tests.Cli.Commands;

public class ReportCommandTests
{
    internal static int Thermo(params string[] args)
    {
        var root = new RootCommand("thermo");
        root.Options.Add(CommonOptions.Threads);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null });
    }

    [Fact]
    public void Report_command_is_in_the_catalogue()
    {
        var report = Assert.Single(CommandCatalog.All(), c => c.Name == "report");
        Assert.Contains("report.json", report.Description);
        Assert.Contains(report.Options, o => o.Name == "--open-check");
    }

    [Fact]
    public void Report_re_renders_a_run_directory()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("report.json"), ReportJson.Serialize(SampleReports.Small()));
        Assert.Equal(0, Thermo("report", dir.Path));
        Assert.True(File.Exists(dir.File("report.html")));
        Assert.True(File.Exists(dir.File("report.md")));
        Assert.True(File.Exists(dir.File("figures/accuracy.png")));
    }

    [Fact]
    public void Report_renders_into_another_directory_with_out()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("a.json"), ReportJson.Serialize(SampleReports.Small()));
        Assert.Equal(0, Thermo("report", dir.File("a.json"), "--out", dir.File("out")));
        Assert.True(File.Exists(dir.File("out/report.json")));
        Assert.True(File.Exists(dir.File("out/report.html")));
    }

    [Fact]
    public void Missing_or_damaged_input_exits_with_code_2_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        Assert.Equal(CliAction.BadInput, Thermo("report", dir.File("missing")));
        Assert.Equal(CliAction.BadInput, Thermo("report", dir.Path));             // no report.json inside
        File.WriteAllText(dir.File("report.json"), "{\"format\":\"thermo.report\",\"version\":1,\"title\":");
        Assert.Equal(CliAction.BadInput, Thermo("report", dir.Path));
        Assert.Equal(["report.json"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }
}
