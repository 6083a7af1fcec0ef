using System.Text;

namespace Thermo.Reports;

/// <summary>
/// report.md: GitHub-flavoured Markdown with the header (title, command line, provenance), key results, each
/// section's text verbatim, tables (numeric columns right-aligned) and figures as relative links to
/// figures/&lt;name&gt;.png. Titles, cells and labels are escaped so they cannot break the table or inject HTML.
/// </summary>
public static class ReportMarkdown
{
    /// <summary>The Markdown text of the report.</summary>
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append("# ").Append(Inline(report.Title)).Append("\n\n");
        md.Append('*').Append(ReportDisplay.KindLabel(report.Kind)).Append(" report");
        if (report.Seed is { } seed) md.Append(" · seed ").Append(seed);
        if (report.WallTime is { } wall) md.Append(" · wall time ").Append(ReportDisplay.Duration(wall));
        md.Append("*\n\n");
        if (report.CommandLine.Length > 0) Fence(md, "sh", report.CommandLine);

        if (report.Results.Count > 0)
        {
            md.Append("## Key results\n\n| result | value |\n|---|---:|\n");
            foreach (var (name, value) in report.Results) md.Append("| ").Append(Cell(name)).Append(" | ").Append(Cell(value.Format())).Append(" |\n");
            md.Append('\n');
        }

        foreach (var section in report.Sections)
        {
            md.Append("## ").Append(Inline(section.Title)).Append("\n\n");
            foreach (var block in section.Blocks)
            {
                switch (block)
                {
                    case ReportText text:
                        md.Append(text.Markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n')).Append("\n\n");
                        break;
                    case ReportTable table:
                        Table(md, table);
                        break;
                    case PlotSpec plot:
                        md.Append("![").Append(Inline(plot.Title)).Append("](").Append(ReportWriter.FiguresDirectory).Append('/').Append(plot.Name).Append(".png)\n\n");
                        if (!string.IsNullOrEmpty(plot.Caption)) md.Append('*').Append(Inline(plot.Caption)).Append("*\n\n");
                        break;
                }
            }
        }

        var provenance = ReportDisplay.ProvenanceRows(report);
        if (provenance.Count > 0)
        {
            md.Append("## Provenance\n\n| | |\n|---|---|\n");
            foreach (var (name, value) in provenance) md.Append("| ").Append(Cell(name)).Append(" | ").Append(Cell(value)).Append(" |\n");
            md.Append('\n');
        }
        if (report.Details.Count > 0)
        {
            string json = ReportDisplay.DetailsJson(report);
            md.Append("## Details\n\n");
            if (json.Length <= ReportDisplay.MaxInlineDetails) Fence(md, "json", json);
            else md.Append("The details (").Append(json.Length).Append(" characters of JSON) are in `").Append(ReportWriter.JsonFile).Append("` under `details`.\n\n");
        }
        md.Append("---\n*Written by Thermo from `").Append(ReportWriter.JsonFile).Append("`; `thermo report <run directory>` renders it again.*\n");
        return md.ToString();
    }

    static void Table(StringBuilder md, ReportTable table)
    {
        int columns = table.Header.Count;
        md.Append('|');
        foreach (var h in table.Header) md.Append(' ').Append(Cell(h)).Append(" |");
        md.Append("\n|");
        for (int c = 0; c < columns; c++) md.Append(table.IsNumericColumn(c) ? "---:|" : "---|");
        md.Append('\n');
        for (int r = 0; r < table.Rows.Count; r++)
        {
            md.Append('|');
            for (int c = 0; c < columns; c++) md.Append(' ').Append(Cell(table.FormatCell(r, c))).Append(" |");
            md.Append('\n');
        }
        md.Append('\n');
        if (!string.IsNullOrEmpty(table.Caption)) md.Append('*').Append(Inline(table.Caption)).Append("*\n\n");
    }

    /// <summary>A code block whose fence is longer than any backtick run inside.</summary>
    static void Fence(StringBuilder md, string language, string code)
    {
        int longest = 0, run = 0;
        foreach (char c in code)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        string fence = new('`', Math.Max(3, longest + 1));
        md.Append(fence).Append(language).Append('\n').Append(code.TrimEnd('\n')).Append('\n').Append(fence).Append("\n\n");
    }

    /// <summary>Text on one line with Markdown and HTML syntax neutralised.</summary>
    internal static string Inline(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\r': break;
                case '\n': sb.Append(' '); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '#' or '|' or '!' or '~': sb.Append('\\').Append(c); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    static string Cell(string text) => Inline(text);
}
