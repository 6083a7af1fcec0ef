namespace Thermo.Reports;

/// <summary>One piece of a <see cref="ReportSection"/>: <see cref="ReportText"/>, <see cref="ReportTable"/> or <see cref="PlotSpec"/>.</summary>
public abstract class ReportBlock
{
    private protected ReportBlock() { }

    /// <summary>Null if the block can be rendered, else what is wrong with it.</summary>
    public abstract string? Problem();
}
