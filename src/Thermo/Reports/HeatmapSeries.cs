namespace Thermo.Reports;

/// <summary>
/// A matrix drawn as coloured cells, row 0 at the top (a confusion matrix: rows = true class, columns =
/// predicted class). <see cref="PlotSeries.Label"/> names the colour bar. With <see cref="Annotate"/>, each
/// cell shows its value (matrices up to <see cref="PlotSpec.MaxAnnotatedCells"/> cells per side).
/// </summary>
public sealed class HeatmapSeries : PlotSeries
{
    readonly double[][] _cells;
    readonly string[] _rowLabels, _columnLabels;

    /// <summary>Copies the data; labels default to 0, 1, 2, ….</summary>
    public HeatmapSeries(IReadOnlyList<IReadOnlyList<double>> cells, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columnLabels = null,
        string colorLabel = "", bool annotate = true, string? format = null) : base(colorLabel, null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        _cells = new double[cells.Count][];
        for (int r = 0; r < cells.Count; r++) _cells[r] = [.. cells[r] ?? throw new ArgumentException($"heatmap row {r} is null", nameof(cells))];
        int columns = _cells.Length == 0 ? 0 : _cells[0].Length;
        _rowLabels = rowLabels is null ? Numbers(_cells.Length) : [.. rowLabels];
        _columnLabels = columnLabels is null ? Numbers(columns) : [.. columnLabels];
        Annotate = annotate;
        Format = string.IsNullOrEmpty(format) ? null : format;
        if (Problem(AxisScale.Linear, AxisScale.Linear) is { } problem) throw new ArgumentException(problem);
    }

    static string[] Numbers(int n)
    {
        var labels = new string[n];
        for (int i = 0; i < n; i++) labels[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return labels;
    }

    /// <summary>The matrix, by rows.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Cells => _cells;
    /// <summary>Row labels (y axis, top to bottom).</summary>
    public IReadOnlyList<string> RowLabels => _rowLabels;
    /// <summary>Column labels (x axis, left to right).</summary>
    public IReadOnlyList<string> ColumnLabels => _columnLabels;
    /// <summary>Write each cell's value in the cell.</summary>
    public bool Annotate { get; }
    /// <summary>.NET numeric format of the annotations (null: automatic).</summary>
    public string? Format { get; }

    internal int Rows => _cells.Length;
    internal int Columns => _cells.Length == 0 ? 0 : _cells[0].Length;
    internal override long ValueCount => (long)Rows * Columns;

    internal override string? Problem(AxisScale xScale, AxisScale yScale)
    {
        if (xScale != AxisScale.Linear || yScale != AxisScale.Linear) return "heatmaps need linear axes";
        if (Rows == 0 || Columns == 0) return "heatmap has no cells";
        if (Rows > PlotSpec.MaxHeatmapSide || Columns > PlotSpec.MaxHeatmapSide)
            return $"heatmap is {Rows}×{Columns}, at most {PlotSpec.MaxHeatmapSide} per side";
        for (int r = 0; r < Rows; r++)
            if (_cells[r].Length != Columns) return $"heatmap row {r} has {_cells[r].Length} cells, row 0 has {Columns}";
        if (_rowLabels.Length != Rows) return $"heatmap has {Rows} rows but {_rowLabels.Length} row labels";
        if (_columnLabels.Length != Columns) return $"heatmap has {Columns} columns but {_columnLabels.Length} column labels";
        foreach (var l in _rowLabels) if (l is null) return "a heatmap row label is null";
        foreach (var l in _columnLabels) if (l is null) return "a heatmap column label is null";
        return ReportValue.CheckFormat(Format);
    }
}
