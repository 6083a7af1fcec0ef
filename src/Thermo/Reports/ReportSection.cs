namespace Thermo.Reports;

/// <summary>
/// A titled part of a <see cref="RunReport"/>: Markdown text, tables and figures in the order they were added
/// (consecutive figures are shown side by side in HTML). Every method returns the section, so
/// <c>report.Section("Accuracy versus samples").Text(…).Table(…).Plot(…)</c> reads top to bottom.
/// </summary>
public sealed class ReportSection
{
    readonly RunReport _owner;
    readonly List<ReportBlock> _blocks = [];

    internal ReportSection(RunReport owner, string title)
    {
        _owner = owner;
        Title = title;
    }

    /// <summary>The heading.</summary>
    public string Title { get; }

    /// <summary>Text, tables and figures in order.</summary>
    public IReadOnlyList<ReportBlock> Blocks => _blocks;

    /// <summary>Appends Markdown text.</summary>
    public ReportSection Text(string markdown) => Add(new ReportText(markdown));

    /// <summary>Appends a table.</summary>
    public ReportSection Table(ReportTable table) => Add(table);

    /// <summary>Appends a table with this header and these rows.</summary>
    public ReportSection Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<ReportValue>> rows, string? caption = null) =>
        Add(new ReportTable(header).AddRows(rows).WithCaption(caption));

    /// <summary>
    /// Appends a figure. If another figure of the report already has its <see cref="PlotSpec.Name"/> (ignoring case,
    /// as file systems may), the name gets a suffix -2, -3, ….
    /// </summary>
    public ReportSection Plot(PlotSpec plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return Add(plot);
    }

    /// <summary>Appends any block (figures are renamed as in <see cref="Plot"/>).</summary>
    public ReportSection Add(ReportBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block is PlotSpec plot) plot.Name = _owner.UniqueFigureName(plot.Name, plot);
        _blocks.Add(block);
        return this;
    }

    /// <summary>Appends a block read from report.json as it is (duplicate names are reported by <see cref="RunReport.Problem"/>).</summary>
    internal void AddLoaded(ReportBlock block) => _blocks.Add(block);
}
