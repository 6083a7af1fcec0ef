using System.Text;

namespace Thermo.Reports;

/// <summary>
/// report.html: one page that needs nothing else. A header with the title, the command line and the provenance;
/// key results; each section's text (a safe Markdown subset), tables and figures (consecutive figures side by
/// side); the nested details. PNGs are embedded as base64 data URIs and the CSS is inline, so the file can be
/// mailed or archived alone; a Content-Security-Policy forbids scripts and any external resource. Every
/// user-provided string is HTML-escaped.
/// </summary>
public static class ReportHtml
{
    /// <summary>The HTML page; <paramref name="figures"/> are the rendered PNGs of the report's figures.</summary>
    public static string Render(RunReport report, IReadOnlyList<RenderedFigure> figures)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(figures);
        var pngs = new Dictionary<PlotSpec, RenderedFigure>(ReferenceEqualityComparer.Instance);
        foreach (var f in figures) pngs[f.Spec] = f;

        var h = new StringBuilder(64 * 1024);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n");
        h.Append("<meta name=\"generator\" content=\"Thermo ").Append(Escape(IO.Provenance.CurrentThermoVersion)).Append("\">\n");
        h.Append("<title>").Append(Escape(report.Title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");

        h.Append("<header>\n<p class=\"kind\">").Append(Escape(ReportDisplay.KindLabel(report.Kind))).Append(" report</p>\n");
        h.Append("<h1>").Append(Escape(report.Title)).Append("</h1>\n");
        if (report.CommandLine.Length > 0)
            h.Append("<pre class=\"command\"><code>$ ").Append(Escape(report.CommandLine)).Append("</code></pre>\n");
        var provenance = ReportDisplay.ProvenanceRows(report);
        if (provenance.Count > 0)
        {
            h.Append("<dl class=\"provenance\">\n");
            foreach (var (name, value) in provenance)
                h.Append("<dt>").Append(Escape(name)).Append("</dt><dd>").Append(Escape(value)).Append("</dd>\n");
            h.Append("</dl>\n");
        }
        h.Append("</header>\n<main>\n");

        if (report.Results.Count > 0)
        {
            h.Append("<section class=\"results\">\n<h2>Key results</h2>\n<div class=\"cards\">\n");
            foreach (var (name, value) in report.Results)
                h.Append("<div class=\"card\"><div class=\"value\">").Append(Escape(value.Format())).Append("</div><div class=\"name\">")
                    .Append(Escape(name)).Append("</div></div>\n");
            h.Append("</div>\n</section>\n");
        }

        if (report.Sections.Count > 1)
        {
            h.Append("<nav><ol>\n");
            for (int s = 0; s < report.Sections.Count; s++)
                h.Append("<li><a href=\"#section-").Append(s + 1).Append("\">").Append(Escape(report.Sections[s].Title)).Append("</a></li>\n");
            h.Append("</ol></nav>\n");
        }

        for (int s = 0; s < report.Sections.Count; s++)
        {
            var section = report.Sections[s];
            h.Append("<section id=\"section-").Append(s + 1).Append("\">\n<h2>").Append(Escape(section.Title)).Append("</h2>\n");
            bool inFigures = false;
            foreach (var block in section.Blocks)
            {
                if (block is PlotSpec && !inFigures) { h.Append("<div class=\"figures\">\n"); inFigures = true; }
                if (block is not PlotSpec && inFigures) { h.Append("</div>\n"); inFigures = false; }
                switch (block)
                {
                    case ReportText text:
                        h.Append("<div class=\"text\">\n").Append(MarkdownSubset.ToHtml(text.Markdown)).Append("</div>\n");
                        break;
                    case ReportTable table:
                        Table(h, table);
                        break;
                    case PlotSpec plot:
                        Figure(h, plot, pngs.GetValueOrDefault(plot));
                        break;
                }
            }
            if (inFigures) h.Append("</div>\n");
            h.Append("</section>\n");
        }

        if (report.Details.Count > 0)
        {
            string json = ReportDisplay.DetailsJson(report);
            h.Append("<section class=\"details\">\n<h2>Details</h2>\n");
            if (json.Length <= ReportDisplay.MaxInlineDetails)
                h.Append("<details><summary>nested results (JSON, as in report.json)</summary>\n<pre><code>").Append(Escape(json)).Append("</code></pre></details>\n");
            else
                h.Append("<p>The details (").Append(json.Length).Append(" characters of JSON) are in <code>report.json</code> under <code>details</code>.</p>\n");
            h.Append("</section>\n");
        }

        h.Append("</main>\n<footer>Written by Thermo from <code>report.json</code>; <code>thermo report &lt;run directory&gt;</code> renders it again.</footer>\n");
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    static void Table(StringBuilder h, ReportTable table)
    {
        int columns = table.Header.Count;
        var numeric = new bool[columns];
        for (int c = 0; c < columns; c++) numeric[c] = table.IsNumericColumn(c);
        h.Append("<div class=\"table\"><table>\n");
        if (!string.IsNullOrEmpty(table.Caption)) h.Append("<caption>").Append(Escape(table.Caption)).Append("</caption>\n");
        h.Append("<thead><tr>");
        for (int c = 0; c < columns; c++) h.Append(numeric[c] ? "<th class=\"num\">" : "<th>").Append(Escape(table.Header[c])).Append("</th>");
        h.Append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < table.Rows.Count; r++)
        {
            h.Append("<tr>");
            for (int c = 0; c < columns; c++) h.Append(numeric[c] ? "<td class=\"num\">" : "<td>").Append(Escape(table.FormatCell(r, c))).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table></div>\n");
    }

    static void Figure(StringBuilder h, PlotSpec plot, RenderedFigure? png)
    {
        h.Append("<figure>");
        if (png is null) h.Append("<p class=\"missing\">figure ").Append(Escape(plot.Name)).Append(" was not rendered</p>");
        else
            h.Append("<img src=\"data:image/png;base64,").Append(Convert.ToBase64String(png.Png)).Append("\" width=\"").Append(plot.Width)
                .Append("\" height=\"").Append(plot.Height).Append("\" alt=\"").Append(Escape(plot.Title)).Append("\">");
        if (!string.IsNullOrEmpty(plot.Caption)) h.Append("<figcaption>").Append(Escape(plot.Caption)).Append("</figcaption>");
        h.Append("</figure>\n");
    }

    /// <summary>Escapes &amp; &lt; &gt; &quot; and ' so text is safe in element content and in quoted attributes.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\0': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    const string Css = """
        :root { --ink: #1d2329; --muted: #5b6670; --line: #d9dee3; --accent: #b5462a; --band: #f5f3ef; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
        header { background: var(--band); border-bottom: 3px solid var(--accent); padding: 24px max(24px, calc(50% - 600px)); }
        main, footer { max-width: 1248px; margin: 0 auto; padding: 0 24px; }
        .kind { margin: 0; color: var(--accent); font-weight: 600; text-transform: uppercase; letter-spacing: .08em; font-size: 12px; }
        h1 { margin: 4px 0 12px; font-size: 28px; line-height: 1.2; overflow-wrap: anywhere; }
        h2 { margin: 32px 0 12px; font-size: 21px; border-bottom: 1px solid var(--line); padding-bottom: 4px; overflow-wrap: anywhere; }
        h3, h4, h5, h6 { margin: 20px 0 8px; }
        pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
        pre.command { background: #1d2329; color: #f0f0f0; border: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em; }
        .provenance { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 0; font-size: 13px; }
        .provenance dt { color: var(--muted); }
        .provenance dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
        .card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        .card .name { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
        nav ol { margin: 16px 0 0; padding-left: 20px; columns: 2; font-size: 14px; }
        a { color: #1f5fa8; }
        .table { overflow-x: auto; margin: 12px 0; }
        table { border-collapse: collapse; font-size: 14px; }
        caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 13px; padding-top: 6px; }
        th, td { border-bottom: 1px solid var(--line); padding: 5px 12px; text-align: left; vertical-align: top; }
        th { border-bottom: 2px solid var(--ink); font-weight: 600; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: 16px; margin: 12px 0; }
        figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; background: #fff; }
        figure img { display: block; width: 100%; height: auto; }
        figcaption { color: var(--muted); font-size: 13px; padding: 6px 4px 0; }
        .missing { color: var(--accent); }
        blockquote { margin: 12px 0; padding: 4px 14px; border-left: 3px solid var(--line); color: var(--muted); }
        details summary { cursor: pointer; color: var(--muted); }
        footer { margin-top: 40px; padding-top: 12px; padding-bottom: 24px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }

        """;
}
