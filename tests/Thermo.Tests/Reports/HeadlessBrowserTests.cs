using StbImageSharp;
using Thermo.Tests.Cli.Commands;
using Thermo.Reports;
using Thermo.Tests.IO;

namespace Thermo.Tests.Reports;

/// <summary>A test that needs a headless Chromium; skipped, saying how to get one, when none is installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessBrowser.Find() is null)
            Skip = $"no headless Chromium on PATH (apt-get install chromium, or set {HeadlessBrowser.EnvironmentVariable}); .ci/run installs it when it runs as root";
    }
}

/// <summary>One at a time: a test here changes THERMO_BROWSER, which the others read.</summary>
[Collection("HeadlessBrowser")]
public class HeadlessBrowserTests
{
    [ChromiumFact]
    public void Report_html_renders_in_headless_chromium()
    {
        using var dir = new TempDirectory();
        var files = SampleReports.Full().Write(dir.Path);
        string shot = dir.File("screenshot.png");
        var check = HeadlessBrowser.CheckPage(HeadlessBrowser.Find()!, files.Html, shot, 1000, 1400);
        Assert.Equal((1000, 1400), (check.Width, check.Height));
        Assert.True(check.InkFraction > 0.05, $"only {check.InkFraction:P1} of the page is not white");
        // The header band (#f5f3ef) spans the top of the page: the stylesheet was applied.
        var image = ImageResult.FromMemory(File.ReadAllBytes(shot), ColorComponents.RedGreenBlue);
        int i = (10 * image.Width + image.Width / 2) * 3;
        Assert.Equal((0xf5, 0xf3, 0xef), (image.Data[i], image.Data[i + 1], image.Data[i + 2]));
    }

    [ChromiumFact]
    public void A_blank_page_fails_the_check()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("blank.html"), "<!DOCTYPE html><html><body></body></html>");
        var e = Assert.Throws<InvalidOperationException>(() => HeadlessBrowser.CheckPage(HeadlessBrowser.Find()!, dir.File("blank.html"), dir.File("s.png"), 400, 300));
        Assert.Contains("blank", e.Message);
    }

    [ChromiumFact]
    public void Open_check_screenshots_the_rerendered_report()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("report.json"), ReportJson.Serialize(SampleReports.Small()));
        Assert.Equal(0, ReportCommandTests.Thermo("report", dir.Path, "--open-check"));
        Assert.True(new FileInfo(dir.File(global::Thermo.Cli.Commands.ReportCommand.ScreenshotFile)).Length > 1000);
    }

    [Fact]
    public void Open_check_without_a_browser_fails_and_says_how_to_get_one()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("report.json"), ReportJson.Serialize(SampleReports.Small()));
        string? saved = Environment.GetEnvironmentVariable(HeadlessBrowser.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(HeadlessBrowser.EnvironmentVariable, dir.File("no-such-browser"));
            Assert.Null(HeadlessBrowser.Find());
            Assert.Equal(global::Thermo.Cli.CliAction.Failure, ReportCommandTests.Thermo("report", dir.Path, "--open-check"));
            Assert.True(File.Exists(dir.File("report.html")));                // the report itself was still rendered
        }
        finally
        {
            Environment.SetEnvironmentVariable(HeadlessBrowser.EnvironmentVariable, saved);
        }
    }
}
