using System.Text;
using Thermo.IO;
using Thermo.Reports;
using Thermo.Tests.IO;

namespace Thermo.Tests.Reports;

public class ReportWriterTests
{
    static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    static string[] Entries(string dir) =>
        Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order().ToArray();

    [Fact]
    public void A_report_started_after_the_work_times_the_whole_process()
    {
        using var dir = new TempDirectory();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        // Commands start their report after the work; by now this test host has run for longer than any rendering takes.
        var sinceStart = DateTime.Now - process.StartTime;
        var report = RunReport.Start("late", ReportKind.Other);
        report.Write(dir.Path);
        Assert.True(report.WallTime >= sinceStart, $"wall time {report.WallTime}, the process has run {sinceStart}");
    }

    [Fact]
    public void Write_puts_json_markdown_html_and_pngs_into_the_run_directory()
    {
        using var dir = new TempDirectory();
        var files = SampleReports.Small().Write(dir.Path);
        Assert.Equal(["figures", "figures/accuracy.png", "report.html", "report.json", "report.md"], Entries(dir.Path));
        Assert.Equal(dir.File("report.json"), files.Json);
        Assert.Equal([dir.File("figures/accuracy.png")], files.Figures);
        Assert.Equal((200, 150), PlotRendererTests.PngSize(File.ReadAllBytes(files.Figures[0])));
        Assert.Contains("![Accuracy](figures/accuracy.png)", File.ReadAllText(files.Markdown));
        Assert.Contains("data:image/png;base64,", File.ReadAllText(files.Html));
        Assert.Equal("small", RunReport.Load(dir.Path).Title);
    }

    [Fact]
    public void Start_captures_provenance_and_wall_time()
    {
        using var dir = new TempDirectory();
        var report = RunReport.Start("started", ReportKind.Eval, seed: 3);
        File.WriteAllText(dir.File("data.bin"), "abc");
        report.DatasetFile("toy/data.bin", dir.File("data.bin"));
        report.Write(dir.Path);
        var r = RunReport.Load(dir.Path);
        Assert.Equal(3UL, r.Seed);
        Assert.NotNull(r.WallTime);
        Assert.Equal(Provenance.CurrentThermoVersion, r.Provenance.ThermoVersion);
        Assert.Contains(Environment.ProcessorCount + " cores", r.Provenance.Machine);
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", r.Provenance.DatasetChecksums["toy/data.bin"]);
        Assert.False(string.IsNullOrEmpty(r.CommandLine));
        Assert.True(DateTimeOffset.UtcNow - r.Provenance.Created < TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void A_figure_that_throws_while_rendering_leaves_the_run_directory_untouched()
    {
        using var dir = new TempDirectory();
        SampleReports.Small("old").Write(dir.Path);
        var before = Snapshot(dir.Path);
        var report = SampleReports.Small("new");
        report.Section("More").Plot(new PlotSpec("Second").Size(100, 100).Line("a", [1, 2], [1, 2]));
        int calls = 0;
        var e = Assert.Throws<InvalidOperationException>(() => ReportWriter.Render(report, spec =>
            ++calls == 2 ? throw new InvalidOperationException("boom") : PlotRenderer.RenderPng(spec)).WriteTo(dir.Path));
        Assert.Contains("figure 'second' failed to render: boom", e.Message);
        Assert.Equal(2, calls);
        Assert.Equal(before.Keys.Order(), Snapshot(dir.Path).Keys.Order());
        foreach (var (name, bytes) in Snapshot(dir.Path)) Assert.Equal(before[name], bytes);
    }

    [Fact]
    public void An_invalid_figure_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var report = SampleReports.Small();
        var late = new PlotSpec("late").Line("measured", [0, 1], [0.5, 0.6]);
        report.Section("More").Plot(late);
        late.XScale = AxisScale.Log2;
        var e = Assert.Throws<ArgumentException>(() => report.Write(dir.Path));
        Assert.Contains("needs x > 0", e.Message);
        Assert.Empty(Entries(dir.Path));
    }

    [Fact]
    public void A_failure_while_writing_files_leaves_no_partial_or_temporary_files()
    {
        using var dir = new TempDirectory();
        SampleReports.Small("old").Write(dir.Path);
        // report.md as a directory makes its write fail after report.json and the PNG were staged.
        File.Delete(dir.File("report.md"));
        Directory.CreateDirectory(dir.File("report.md"));
        var before = Snapshot(dir.Path);
        var entries = Entries(dir.Path);
        Assert.Throws<IOException>(() => SampleReports.Small("new").Write(dir.Path));
        Assert.Equal(entries, Entries(dir.Path));
        foreach (var (name, bytes) in Snapshot(dir.Path)) Assert.Equal(before[name], bytes);
        Assert.Equal("old", RunReport.Load(dir.Path).Title);
        Assert.DoesNotContain(Entries(dir.Path), e => e.Contains(AtomicFile.TempPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Rerender_rebuilds_markdown_html_and_pngs_from_report_json_alone()
    {
        using var dir = new TempDirectory();
        var files = SampleReports.Full().Write(dir.Path);
        var before = Snapshot(dir.Path);
        File.Delete(files.Html);
        File.Delete(files.Markdown);
        Directory.Delete(dir.File("figures"), recursive: true);
        var again = ReportWriter.Rerender(dir.Path);
        Assert.Null(again.Json);
        var after = Snapshot(dir.Path);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} differs after re-rendering");
    }

    [Fact]
    public void Rerender_into_another_directory_copies_report_json()
    {
        using var dir = new TempDirectory();
        SampleReports.Small().Write(dir.File("run"));
        var files = ReportWriter.Rerender(dir.File("run/report.json"), dir.File("restyled"));
        Assert.Equal(dir.File("restyled/report.json"), files.Json);
        Assert.Equal(File.ReadAllBytes(dir.File("run/report.json")), File.ReadAllBytes(dir.File("restyled/report.json")));
        Assert.True(File.Exists(dir.File("restyled/figures/accuracy.png")));
    }

    [Fact]
    public void Writing_into_a_file_path_is_refused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("run"), "x");
        Assert.Contains("it is a file", Assert.Throws<IOException>(() => SampleReports.Small().Write(dir.File("run"))).Message);
    }

    [Fact]
    public void Command_lines_are_quoted_for_the_shell()
    {
        Assert.Equal("--epochs=3", RunReport.Quote("--epochs=3"));
        Assert.Equal("'a b'", RunReport.Quote("a b"));
        Assert.Equal("'it'\\''s'", RunReport.Quote("it's"));
        Assert.Equal("''", RunReport.Quote(""));
        Assert.Equal("'$(rm -rf x)'", RunReport.Quote("$(rm -rf x)"));
    }

    [Fact]
    public void Markdown_and_html_are_utf8_without_bom()
    {
        using var dir = new TempDirectory();
        var files = SampleReports.Full().Write(dir.Path);
        foreach (var f in new[] { files.Markdown, files.Html, files.Json! })
        {
            byte[] bytes = File.ReadAllBytes(f);
            Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), $"{f} has a BOM");
            _ = new UTF8Encoding(false, true).GetString(bytes);
        }
    }
}
