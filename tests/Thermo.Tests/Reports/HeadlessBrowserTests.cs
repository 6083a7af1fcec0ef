using StbImageSharp;
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
}
