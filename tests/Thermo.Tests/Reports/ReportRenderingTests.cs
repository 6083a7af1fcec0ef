using System.Text.RegularExpressions;
using Thermo.Reports;

namespace Thermo.Tests.Reports;

public partial class ReportRenderingTests
{
    const string Script = "<script>alert(1)</script>";
    const string AttributeBreak = "\"><img src=x onerror=alert(2)>";

    static RunReport Hostile()
    {
        var report = new RunReport(Script + " title", ReportKind.Train);
        report.CommandLine = "thermo train --name '" + AttributeBreak + "' </pre>";
        report.Provenance = report.Provenance with
        {
            Machine = "</dd><script>m()</script>",
            DatasetChecksums = new() { ["<b>data</b>"] = "sha256:<i>x</i>" },
        };
        report.Result(Script, AttributeBreak).Result("ok", 1);
        report.Detail("x", System.Text.Json.Nodes.JsonValue.Create("</code></pre><script>d()</script>"));
        report.Section("</h2><script>s()</script>")
            .Text("Hello <script>t()</script> **bold** [click](javascript:alert(3)) [fine](https://example.org/?a=1&b=2) `<code>` "
                + "[data](data:text/html,<script>x</script>) [rel](figures/a.png)\n\n```\n</code></pre><script>f()</script>\n```\n\n- <li>item</li>\n# </h3>head")
            .Table(new ReportTable("col|" + Script, "v").Row("</td><script>c()</script>", 1.5).WithCaption("</caption>" + Script))
            .Plot(new PlotSpec(Script + "\" title", "fig").Size(160, 120).Line(AttributeBreak, [1, 2], [3, 4]).WithCaption("</figcaption>" + Script));
        return report;
    }

    static readonly HashSet<string> AllowedTags =
    [
        "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section", "nav", "div", "p", "h1", "h2", "h3", "h4",
        "h5", "h6", "pre", "code", "dl", "dt", "dd", "ol", "ul", "li", "table", "caption", "thead", "tbody", "tr", "th", "td", "figure",
        "img", "figcaption", "strong", "em", "a", "details", "summary", "blockquote",
    ];

    [Fact]
    public void Html_escapes_every_user_string_and_holds_only_known_tags()
    {
        var rendered = ReportWriter.Render(Hostile());
        string html = rendered.Html;
        var tags = TagPattern().Matches(html).Select(m => m.Groups[1].Value.ToLowerInvariant()).ToHashSet();
        Assert.Empty(tags.Except(AllowedTags));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        foreach (Match tag in Regex.Matches(html, "<[a-zA-Z][^>]*>"))
        {
            string attributes = Regex.Replace(tag.Value, "\"[^\"]*\"", "\"\"");   // attribute values may hold escaped text
            Assert.DoesNotMatch(@"\son\w+\s*=", attributes);                 // no event-handler attribute
        }
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; title", html);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", html);
        Assert.Contains("<a href=\"https://example.org/?a=1&amp;b=2\">fine</a>", html);
        Assert.Contains("<a href=\"figures/a.png\">rel</a>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<code>&lt;code&gt;</code>", html);
        // Every <img> is an embedded PNG: the page loads nothing from outside.
        foreach (Match m in ImgSrcPattern().Matches(html)) Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value);
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html.Replace("https://example.org/?a=1&amp;b=2", "", StringComparison.Ordinal));
        Assert.DoesNotContain("@import", html);
        Assert.Contains("Content-Security-Policy", html);
    }

    [Fact]
    public void Markdown_neutralises_user_strings_in_titles_and_tables()
    {
        string md = ReportWriter.Render(Hostile()).Markdown;
        Assert.DoesNotContain("<script>alert(1)", md.Replace("Hello <script>t()</script>", "", StringComparison.Ordinal)
            .Replace("</code></pre><script>f()</script>", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("col\\|&lt;script&gt;", md);                          // a pipe cannot split the column
        Assert.Contains("&lt;/td&gt;&lt;script&gt;c()&lt;/script&gt;", md);
        foreach (var line in md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("c()", StringComparison.Ordinal)))
            Assert.Equal(3, UnescapedPipes(line));
    }

    static int UnescapedPipes(string line) => Regex.Matches(line, @"(?<!\\)\|").Count;

    [Fact]
    public void Markdown_holds_the_header_tables_figures_and_provenance()
    {
        string md = ReportWriter.Render(SampleReports.Full()).Markdown;
        Assert.StartsWith("# Quickstart: MNIST on a thermodynamic network\n", md);
        Assert.Contains("```sh\nthermo quickstart --seed 42 --out runs/quickstart\n```", md);
        Assert.Contains("seed 42", md);
        Assert.Contains("| test\\_accuracy | 0.9877 |", md);
        Assert.Contains("| G | measured | ± s.e. | predicted |\n|---:|---:|---:|---:|", md);
        Assert.Contains("| 1024 | 0.9704 | 0.0006 | 0.9744 |", md);
        Assert.Contains("![Accuracy versus samples per block](figures/accuracy-versus-samples-per-block.png)", md);
        Assert.Contains("![Confusion matrix (test set)](figures/confusion-matrix-test-set.png)", md);
        Assert.Contains("sha256:ba7c", md);
        Assert.Contains("\"epoch\": 1", md);
        Assert.Contains("- measured: mean over 5 seeds", md);                // section text verbatim
    }

    [Fact]
    public void Html_holds_the_header_tables_and_every_figure_embedded()
    {
        var rendered = ReportWriter.Render(SampleReports.Full());
        string html = rendered.Html;
        Assert.Contains("<h1>Quickstart: MNIST on a thermodynamic network</h1>", html);
        Assert.Contains("$ thermo quickstart --seed 42 --out runs/quickstart", html);
        Assert.Contains("<dt>seed</dt><dd>42</dd>", html);
        Assert.Contains("<dt>wall time</dt><dd>1 min 23 s</dd>", html);
        Assert.Contains("<th class=\"num\">measured</th>", html);
        Assert.Contains("<td class=\"num\">0.9704</td>", html);
        Assert.Equal(4, rendered.Figures.Count);
        foreach (var f in rendered.Figures) Assert.Contains(Convert.ToBase64String(f.Png), html);
        Assert.Equal(2, Regex.Matches(html, "<div class=\"figures\">").Count);   // consecutive figures share a row
    }

    [Fact]
    public void Numbers_are_formatted_sensibly()
    {
        Assert.Equal("0.9912", ReportValue.FormatNumber(0.99123456));
        Assert.Equal("1235", ReportValue.FormatNumber(1234.56));
        Assert.Equal("0.5", ReportValue.FormatNumber(0.5));
        Assert.Equal("3.2e-12", ReportValue.FormatNumber(3.2e-12));
        Assert.Equal("1.5e6", ReportValue.FormatNumber(1.5e6));
        Assert.Equal("0.001234", ReportValue.FormatNumber(0.0012345));
        Assert.Equal("-12.35", ReportValue.FormatNumber(-12.345678));
        Assert.Equal("0", ReportValue.FormatNumber(-0.0));
        Assert.Equal("NaN", ReportValue.FormatNumber(double.NaN));
        Assert.Equal("∞", ReportValue.FormatNumber(double.PositiveInfinity));
        Assert.Equal("60000", ((ReportValue)60000).Format());
        Assert.Equal("98.77 %", ((ReportValue)0.98765).Format("P2"));
        var table = new ReportTable("a").Row(0.825).Row(0.6364).Row(1.0);
        Assert.Equal(["0.8250", "0.6364", "1.0000"], Enumerable.Range(0, 3).Select(r => table.FormatCell(r, 0)));
    }

    [Fact]
    public void Markdown_subset_keeps_structure_and_drops_unsafe_links()
    {
        string html = MarkdownSubset.ToHtml("# Title\n\npara *em* and __strong__\nsame para\n\n1. one\n2. two\n\n> quote\n\n[x](JaVaScRiPt:alert%281%29)");
        Assert.Contains("<h3>Title</h3>", html);
        Assert.Contains("<p>para <em>em</em> and <strong>strong</strong> same para</p>", html);
        Assert.Contains("<ol>\n<li>one</li>\n<li>two</li>\n</ol>", html);
        Assert.Contains("<blockquote>quote</blockquote>", html);
        Assert.Contains("<p>x</p>", html);
        Assert.True(MarkdownSubset.IsSafeUrl("runs/a:b/x.png"));
        Assert.False(MarkdownSubset.IsSafeUrl("vbscript:x"));
    }

    [GeneratedRegex(@"<([a-zA-Z][a-zA-Z0-9]*)")]
    private static partial Regex TagPattern();
    [GeneratedRegex("<img src=\"([^\"]*)\"")]
    private static partial Regex ImgSrcPattern();
}
