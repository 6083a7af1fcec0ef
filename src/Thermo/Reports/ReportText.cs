namespace Thermo.Reports;

/// <summary>
/// A paragraph (or several) of Markdown. report.md contains it verbatim; report.html renders a safe subset
/// (paragraphs, headings, lists, fenced code, `code`, **bold**, *italic*, [links](https://…)) and shows
/// everything else as escaped text: raw HTML never reaches the page.
/// </summary>
public sealed class ReportText(string markdown) : ReportBlock
{
    /// <summary>The Markdown source.</summary>
    public string Markdown { get; } = markdown ?? throw new ArgumentNullException(nameof(markdown));

    /// <inheritdoc/>
    public override string? Problem() => null;
}
