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
        var force = CommonOptions.Force();
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
        command.Options.Add(force);
        command.Options.Add(openCheck);
        return command.WithAction(parse =>
        {
            string source = parse.GetValue(input)!;
            string? outDir = parse.GetValue(output);
            string sourceDir = Directory.Exists(source) ? Path.GetFullPath(source) : Path.GetDirectoryName(Path.GetFullPath(source))!;
            // --out naming the run's own directory re-renders in place, as without --out: a swap would drop the run's other files.
            if (outDir is not null && Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir)) == Path.TrimEndingDirectorySeparator(sourceDir)) outDir = null;
            using var run = outDir is null ? null : CommandOutput.Directory(outDir, parse.GetValue(force));
            var files = ReportWriter.Rerender(source, run?.Path);
            run?.Commit();
            string Final(string path) => run is null ? path : run.Published(path);
            string html = Final(files.Html), directory = Final(files.Directory);
            Console.WriteLine($"report: {html}");
            Console.WriteLine($"        {Final(files.Markdown)}");
            Console.WriteLine($"        {files.Figures.Count} figure(s) in {Path.Combine(directory, ReportWriter.FiguresDirectory)}");
            if (files.Json is not null) Console.WriteLine($"        {Final(files.Json)} (copy)");
            if (!parse.GetValue(openCheck)) return 0;
            string browser = HeadlessBrowser.Find() ?? throw new InvalidOperationException(
                $"--open-check needs a headless Chromium: install it (Debian: apt-get install chromium) or set {HeadlessBrowser.EnvironmentVariable} to its path");
            var check = HeadlessBrowser.CheckPage(browser, html, Path.Combine(directory, ScreenshotFile));
            Console.WriteLine($"open-check: report.html renders in {Path.GetFileName(browser)}; screenshot {check.Screenshot} ({check.Width}×{check.Height}, {check.InkFraction:P0} ink)");
            return 0;
        });
    }
}
