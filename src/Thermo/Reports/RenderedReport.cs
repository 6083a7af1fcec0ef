using Thermo.IO;

namespace Thermo.Reports;

/// <summary>
/// Every file of a report, rendered in memory: nothing touches the disk until <see cref="WriteTo"/>, so a
/// figure that fails to render leaves the run directory as it was.
/// </summary>
public sealed class RenderedReport
{
    internal RenderedReport(RunReport report, byte[] json, string markdown, string html, IReadOnlyList<RenderedFigure> figures)
    {
        Report = report;
        Json = json;
        Markdown = markdown;
        Html = html;
        Figures = figures;
    }

    /// <summary>The report that was rendered.</summary>
    public RunReport Report { get; }
    /// <summary>report.json (UTF-8).</summary>
    public byte[] Json { get; }
    /// <summary>report.md.</summary>
    public string Markdown { get; }
    /// <summary>report.html (PNGs embedded as data URIs).</summary>
    public string Html { get; }
    /// <summary>The PNGs.</summary>
    public IReadOnlyList<RenderedFigure> Figures { get; }

    /// <summary>
    /// Writes report.json (unless <paramref name="includeJson"/> is false), figures/*.png, report.md and report.html
    /// into <paramref name="directory"/> in two phases. First every file is written with <see cref="AtomicFile"/>
    /// (temporary file, fsync, rename) into a hidden staging folder <c>.thermo-tmp-report-*</c> inside the directory;
    /// if any write fails (disk full, permissions) the staging folder is deleted and the directory is exactly as
    /// before. Then each file is renamed into place, report.json first. Only a crash during these renames can leave
    /// complete files of two versions side by side; <c>thermo report</c> re-renders the rest from report.json.
    /// </summary>
    public ReportFiles WriteTo(string directory, bool includeJson = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dir = Path.GetFullPath(directory);
        if (File.Exists(dir)) throw new IOException($"cannot write a report into '{directory}': it is a file, not a directory");
        Directory.CreateDirectory(dir);
        string staging = Path.Combine(dir, AtomicFile.TempPrefix + "report-" + Guid.NewGuid().ToString("N")[..12]);
        var moves = new List<(string From, string To)>();
        try
        {
            void Stage(string relative, byte[] bytes)
            {
                string from = Path.Combine(staging, relative), to = Path.Combine(dir, relative);
                if (Directory.Exists(to)) throw new IOException($"cannot write '{to}': it is a directory");
                AtomicFile.WriteAllBytes(from, bytes);
                moves.Add((from, to));
            }
            if (includeJson) Stage(ReportWriter.JsonFile, Json);
            foreach (var figure in Figures) Stage(Path.Combine(ReportWriter.FiguresDirectory, figure.Spec.Name + ".png"), figure.Png);
            Stage(ReportWriter.MarkdownFile, Utf8.GetBytes(Markdown));
            Stage(ReportWriter.HtmlFile, Utf8.GetBytes(Html));
            if (Figures.Count > 0) Directory.CreateDirectory(Path.Combine(dir, ReportWriter.FiguresDirectory));
            foreach (var (from, to) in moves) File.Move(from, to, overwrite: true);
        }
        finally
        {
            try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var figures = new List<string>(Figures.Count);
        foreach (var figure in Figures) figures.Add(Path.Combine(dir, ReportWriter.FiguresDirectory, figure.Spec.Name + ".png"));
        return new ReportFiles(dir, includeJson ? Path.Combine(dir, ReportWriter.JsonFile) : null,
            Path.Combine(dir, ReportWriter.MarkdownFile), Path.Combine(dir, ReportWriter.HtmlFile), figures);
    }

    static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
