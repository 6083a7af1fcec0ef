namespace Thermo.Reports;

/// <summary>Full paths of what <see cref="ReportWriter"/> wrote into a run directory.</summary>
/// <param name="Directory">The run directory.</param>
/// <param name="Json">report.json (null when a re-render left it alone).</param>
/// <param name="Markdown">report.md.</param>
/// <param name="Html">report.html.</param>
/// <param name="Figures">figures/*.png, in report order.</param>
public sealed record ReportFiles(string Directory, string? Json, string Markdown, string Html, IReadOnlyList<string> Figures);
