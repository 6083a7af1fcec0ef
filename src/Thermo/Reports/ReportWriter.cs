namespace Thermo.Reports;

/// <summary>
/// Renders a <see cref="RunReport"/> (PNG figures, report.md, report.html, report.json) and writes it into a run
/// directory; re-renders a report from its report.json (what <c>thermo report</c> does).
/// </summary>
public static class ReportWriter
{
    /// <summary>Name of the machine-readable report in a run directory.</summary>
    public const string JsonFile = "report.json";
    /// <summary>Name of the Markdown report.</summary>
    public const string MarkdownFile = "report.md";
    /// <summary>Name of the HTML report.</summary>
    public const string HtmlFile = "report.html";
    /// <summary>Folder of the PNG figures, relative to the run directory.</summary>
    public const string FiguresDirectory = "figures";

    /// <summary>Renders every file in memory; throws <see cref="ArgumentException"/> if the report cannot be drawn.</summary>
    public static RenderedReport Render(RunReport report) => Render(report, PlotRenderer.RenderPng);

    /// <summary>Renders with another figure renderer (tests use one that fails).</summary>
    internal static RenderedReport Render(RunReport report, Func<PlotSpec, byte[]> renderFigure)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Problem() is { } problem) throw new ArgumentException($"report '{report.Title}': {problem}", nameof(report));
        var figures = new List<RenderedFigure>();
        foreach (var plot in report.Figures())
        {
            byte[] png;
            try { png = renderFigure(plot); }
            catch (Exception e) when (e is not ArgumentException)
            {
                throw new InvalidOperationException($"report '{report.Title}': figure '{plot.Name}' failed to render: {e.Message}", e);
            }
            figures.Add(new RenderedFigure(plot, FiguresDirectory + "/" + plot.Name + ".png", png));
        }
        byte[] json = ReportJson.Serialize(report);
        return new RenderedReport(report, json, ReportMarkdown.Render(report), ReportHtml.Render(report, figures), figures);
    }

    /// <summary>Renders, then writes report.json, figures/*.png, report.md and report.html into <paramref name="runDirectory"/>.</summary>
    public static ReportFiles Write(RunReport report, string runDirectory) => Render(report).WriteTo(runDirectory);

    /// <summary>
    /// Re-renders figures, report.md and report.html from a report.json (or a run directory holding one) into
    /// <paramref name="outputDirectory"/> (default: next to the report.json, which is then left untouched; in
    /// another directory a copy of report.json is written too).
    /// </summary>
    public static ReportFiles Rerender(string jsonOrRunDirectory, string? outputDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(jsonOrRunDirectory);
        string json = Directory.Exists(jsonOrRunDirectory) ? Path.Combine(jsonOrRunDirectory, JsonFile) : jsonOrRunDirectory;
        var report = ReportJson.Load(jsonOrRunDirectory);
        string sourceDir = Path.GetDirectoryName(Path.GetFullPath(json))!;
        string outDir = Path.GetFullPath(outputDirectory ?? sourceDir);
        bool sameDir = string.Equals(outDir.TrimEnd(Path.DirectorySeparatorChar), sourceDir.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
        var rendered = Render(report);
        return rendered.WriteTo(outDir, includeJson: !sameDir);
    }
}
