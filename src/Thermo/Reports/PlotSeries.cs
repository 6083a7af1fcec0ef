using System.Text.RegularExpressions;

namespace Thermo.Reports;

/// <summary>One data set of a <see cref="PlotSpec"/>: <see cref="LineSeries"/>, <see cref="BarSeries"/> or <see cref="HeatmapSeries"/>.</summary>
public abstract partial class PlotSeries
{
    private protected PlotSeries(string label, string? color)
    {
        Label = label ?? "";
        Color = string.IsNullOrEmpty(color) ? null : color;
    }

    /// <summary>Legend text (empty: not in the legend); for a heatmap, the colour-bar label.</summary>
    public string Label { get; }

    /// <summary>"#rrggbb", or null for the next colour of the palette.</summary>
    public string? Color { get; }

    /// <summary>Number of data values (for the size limit of a figure).</summary>
    internal abstract long ValueCount { get; }

    /// <summary>Null if the series can be drawn on these axes, else the problem.</summary>
    internal abstract string? Problem(AxisScale xScale, AxisScale yScale);

    private protected string? ColorProblem() =>
        Color is null || ColorPattern().IsMatch(Color) ? null : $"colour '{Color}' is not of the form #rrggbb";

    private protected string Name => Label.Length == 0 ? "(unlabelled)" : $"'{Label}'";

    [GeneratedRegex(@"^#[0-9A-Fa-f]{6}\z")]
    private static partial Regex ColorPattern();
}
