using System.Text;
using System.Text.RegularExpressions;

namespace Thermo.Reports;

/// <summary>
/// Markdown → HTML for the text of report sections, a deliberately small subset: paragraphs, headings, bullet
/// and numbered lists, block quotes, fenced code, `code`, **bold**, *italic*, [links](url). Every character of
/// the input is HTML-escaped before any tag is added, so raw HTML in the text shows as text. Links keep only
/// http(s), mailto, fragment and relative targets; other schemes (javascript:, data:) render as plain text.
/// </summary>
internal static partial class MarkdownSubset
{
    public static string ToHtml(string markdown)
    {
        var html = new StringBuilder();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var paragraph = new List<string>();
        string? list = null;                         // "ul" or "ol" while inside a list
        var item = new List<string>();

        void FlushParagraph()
        {
            if (paragraph.Count == 0) return;
            html.Append("<p>").Append(Inline(string.Join("\n", paragraph))).Append("</p>\n");
            paragraph.Clear();
        }
        void FlushItem()
        {
            if (item.Count == 0) return;
            html.Append("<li>").Append(Inline(string.Join("\n", item))).Append("</li>\n");
            item.Clear();
        }
        void CloseList()
        {
            FlushItem();
            if (list is null) return;
            html.Append("</").Append(list).Append(">\n");
            list = null;
        }

        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                FlushParagraph();
                CloseList();
                string fence = trimmed[..3];
                var code = new StringBuilder();
                for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal); i++) code.Append(lines[i]).Append('\n');
                html.Append("<pre><code>").Append(ReportHtml.Escape(code.ToString())).Append("</code></pre>\n");
                continue;
            }
            if (trimmed.Length == 0)
            {
                FlushParagraph();
                CloseList();
                continue;
            }
            var heading = HeadingPattern().Match(line);
            if (heading.Success)
            {
                FlushParagraph();
                CloseList();
                int level = Math.Min(6, heading.Groups[1].Length + 2);   // h1/h2 belong to the report and its sections
                html.Append("<h").Append(level).Append('>').Append(Inline(heading.Groups[2].Value.TrimEnd('#', ' '))).Append("</h").Append(level).Append(">\n");
                continue;
            }
            var bullet = BulletPattern().Match(line);
            var number = bullet.Success ? Match.Empty : NumberPattern().Match(line);
            if (bullet.Success || number.Success)
            {
                FlushParagraph();
                string kind = bullet.Success ? "ul" : "ol";
                if (list != kind)
                {
                    CloseList();
                    html.Append('<').Append(kind).Append(">\n");
                    list = kind;
                }
                FlushItem();
                item.Add((bullet.Success ? bullet : number).Groups[1].Value);
                continue;
            }
            if (list is not null && char.IsWhiteSpace(line[0]))
            {
                item.Add(trimmed);                   // continuation of a list item
                continue;
            }
            CloseList();
            if (trimmed.StartsWith('>'))
            {
                FlushParagraph();
                var quote = new List<string>();
                for (; i < lines.Length && lines[i].TrimStart().StartsWith('>'); i++) quote.Add(lines[i].TrimStart()[1..].TrimStart());
                i--;
                html.Append("<blockquote>").Append(Inline(string.Join("\n", quote))).Append("</blockquote>\n");
                continue;
            }
            paragraph.Add(trimmed);
        }
        FlushParagraph();
        CloseList();
        return html.ToString();
    }

    /// <summary>Inline spans of one block: escaped text with code, links, bold and italic.</summary>
    internal static string Inline(string text)
    {
        // Code spans and links become placeholders first, so emphasis cannot reach into them.
        var stash = new List<string>();
        string Stash(string html)
        {
            stash.Add(html);
            return "\u0001" + (stash.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\u0002";
        }
        text = text.Replace("\u0001", "", StringComparison.Ordinal).Replace("\u0002", "", StringComparison.Ordinal);
        text = CodePattern().Replace(text, m => Stash("<code>" + ReportHtml.Escape(m.Groups[2].Value) + "</code>"));
        text = LinkPattern().Replace(text, m =>
        {
            string label = Emphasis(ReportHtml.Escape(m.Groups[1].Value));
            string url = m.Groups[2].Value;
            return Stash(IsSafeUrl(url) ? $"<a href=\"{ReportHtml.Escape(url)}\">{label}</a>" : label);
        });
        string html = Emphasis(ReportHtml.Escape(text)).Replace("\n", " ", StringComparison.Ordinal);
        for (int pass = 0; pass < 3 && html.Contains('\u0001'); pass++)   // a link label may hold a code span
            html = StashPattern().Replace(html, m => stash[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
        return html;
    }

    static string Emphasis(string escaped)
    {
        escaped = BoldPattern().Replace(escaped, "<strong>$2</strong>");
        return ItalicPattern().Replace(escaped, "<em>$2</em>");
    }

    internal static bool IsSafeUrl(string url)
    {
        int colon = url.IndexOf(':');
        if (colon < 0) return true;                   // relative path or #fragment
        int stop = url.IndexOfAny(['/', '?', '#']);
        if (stop >= 0 && stop < colon) return true;   // the colon is in the path, not a scheme
        string scheme = url[..colon].ToLowerInvariant();
        return scheme is "http" or "https" or "mailto";
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex HeadingPattern();
    [GeneratedRegex(@"^\s{0,3}[-*+]\s+(.*)$")]
    private static partial Regex BulletPattern();
    [GeneratedRegex(@"^\s{0,3}\d{1,9}[.)]\s+(.*)$")]
    private static partial Regex NumberPattern();
    [GeneratedRegex(@"(`+)(.+?)\1", RegexOptions.Singleline)]
    private static partial Regex CodePattern();
    [GeneratedRegex(@"\[([^\[\]\n]+)\]\(([^()\s]+)\)")]
    private static partial Regex LinkPattern();
    [GeneratedRegex(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", RegexOptions.Singleline)]
    private static partial Regex BoldPattern();
    [GeneratedRegex(@"(?<![\w*])(\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*])", RegexOptions.Singleline)]
    private static partial Regex ItalicPattern();
    [GeneratedRegex("\u0001([0-9]+)\u0002")]
    private static partial Regex StashPattern();
}
