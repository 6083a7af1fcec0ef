using System.CommandLine;
using Thermo.Reports;

namespace Thermo.Cli.Commands;

/// <summary>`thermo report`: re-renders a run's report.md, report.html and figures from its report.json.</summary>
public static class ReportCommand
{
    /// <summary>File name of the --open-check screenshot, next to report.html.</summary>
    public const string ScreenshotFile = "report-screenshot.png";

    /// <summary>The command.</summary>
    public static Command Create()
    {
        var input = new Argument<string>("RUN_DIR_OR_JSON")
        {
            Description = "a run directory (containing report.json) or a report.json file",
        };
        var output = new Option<string?>("--out")
        {
            Description = "write the rendered report into this directory instead (report.json is copied there)",
        };
        var openCheck = new Option<bool>("--open-check")
        {
            Description = $"then open report.html in headless Chromium, save a screenshot as {ScreenshotFile} and fail if the page is blank "
                + $"(needs chromium on PATH or ${HeadlessBrowser.EnvironmentVariable})",
        };
        var command = new Command("report", """
            Render a run's report again from its report.json.

            Every run writes its report into its run directory:
              report.json    everything, machine-readable: command line, seed, Thermo version, machine and runtime,
                             data checksums, wall time, key results, details, tables and the data of every figure
              report.md      GitHub-flavoured Markdown, figures linked as figures/<name>.png
              report.html    one self-contained page (CSS inline, figures embedded), no external resources
              figures/*.png  the plots
            This command re-renders report.md, report.html and figures/ from report.json (after upgrading Thermo, or
            to restyle old runs). report.json itself is never changed. Layout and schema: docs/reports.md.

            Examples:
              thermo report runs/quickstart
              thermo report runs/a/report.json --out /tmp/a-restyled
              thermo report runs/quickstart --open-check
              diff runs/a/report.json runs/b/report.json   # same command and seed: only created and wall_time_seconds differ
            """);
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.Options.Add(openCheck);
        return command.WithAction(parse =>
        {
            var files = ReportWriter.Rerender(parse.GetValue(input)!, parse.GetValue(output));
            Console.WriteLine($"report: {files.Html}");
            Console.WriteLine($"        {files.Markdown}");
            Console.WriteLine($"        {files.Figures.Count} figure(s) in {Path.Combine(files.Directory, ReportWriter.FiguresDirectory)}");
            if (files.Json is not null) Console.WriteLine($"        {files.Json} (copy)");
            if (!parse.GetValue(openCheck)) return 0;
            string browser = HeadlessBrowser.Find() ?? throw new InvalidOperationException(
                $"--open-check needs a headless Chromium: install it (Debian: apt-get install chromium) or set {HeadlessBrowser.EnvironmentVariable} to its path");
            var check = HeadlessBrowser.CheckPage(browser, files.Html, Path.Combine(files.Directory, ScreenshotFile));
            Console.WriteLine($"open-check: report.html renders in {Path.GetFileName(browser)}; screenshot {check.Screenshot} ({check.Width}×{check.Height}, {check.InkFraction:P0} ink)");
            return 0;
        });
    }
}
