using System.Text;
using System.Text.RegularExpressions;

namespace Thermo.Reports;

/// <summary>
/// A figure, described by its data so that report.json can re-render it: lines/points with error bars on
/// linear, log-2 or log-10 axes; grouped bar charts; or one heatmap. Rendered to <c>figures/&lt;Name&gt;.png</c>
/// by <see cref="PlotRenderer"/>. Build fluently:
/// <code>
/// new PlotSpec("Accuracy versus samples per block")
///     .Axes("samples per block G", "test accuracy", xScale: AxisScale.Log2)
///     .Line("measured", g, acc, error: accStdErr, style: SeriesStyle.Markers)
///     .Line("predicted", g, predicted, style: SeriesStyle.Dashed);
/// </code>
/// </summary>
public sealed partial class PlotSpec : ReportBlock
{
    /// <summary>Smallest and largest allowed width/height in pixels.</summary>
    public const int MinPixels = 64, MaxPixels = 4096;
    /// <summary>Most data values a figure may hold (report.json size stays sane, rendering stays fast).</summary>
    public const long MaxValues = 4_000_000;
    /// <summary>Most cells per side of a heatmap.</summary>
    public const int MaxHeatmapSide = 256;
    /// <summary>Largest heatmap side whose cells are annotated with their values.</summary>
    public const int MaxAnnotatedCells = 32;
    /// <summary>Most bars per bar series.</summary>
    public const int MaxCategories = 256;

    readonly List<PlotSeries> _series = [];

    /// <summary>A figure with a title; <paramref name="name"/> (the PNG's file stem) defaults to the title in kebab case.</summary>
    public PlotSpec(string title, string? name = null)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        Name = name ?? Slug(title);
        if (NameProblem(Name) is { } problem) throw new ArgumentException(problem, nameof(name));
    }

    /// <summary>File stem of the PNG (letters, digits, '-', '_', '.'; unique within a report).</summary>
    public string Name { get; internal set; }
    /// <summary>Title drawn above the plot and used as alt text.</summary>
    public string Title { get; set; }
    /// <summary>Optional caption shown under the figure.</summary>
    public string? Caption { get; set; }
    /// <summary>x-axis label.</summary>
    public string XLabel { get; set; } = "";
    /// <summary>y-axis label.</summary>
    public string YLabel { get; set; } = "";
    /// <summary>x-axis scale.</summary>
    public AxisScale XScale { get; set; }
    /// <summary>y-axis scale.</summary>
    public AxisScale YScale { get; set; }
    /// <summary>PNG width in pixels.</summary>
    public int Width { get; set; } = 720;
    /// <summary>PNG height in pixels.</summary>
    public int Height { get; set; } = 450;
    /// <summary>Fixed lower end of the y axis (null: automatic).</summary>
    public double? YMin { get; set; }
    /// <summary>Fixed upper end of the y axis (null: automatic).</summary>
    public double? YMax { get; set; }
    /// <summary>The data, drawn in order.</summary>
    public IReadOnlyList<PlotSeries> Series => _series;

    /// <summary>Sets the axis labels and scales.</summary>
    public PlotSpec Axes(string xLabel, string yLabel, AxisScale xScale = AxisScale.Linear, AxisScale yScale = AxisScale.Linear)
    {
        XLabel = xLabel ?? "";
        YLabel = yLabel ?? "";
        XScale = xScale;
        YScale = yScale;
        return this;
    }

    /// <summary>Sets the PNG size in pixels.</summary>
    public PlotSpec Size(int width, int height)
    {
        if (width is < MinPixels or > MaxPixels || height is < MinPixels or > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(width), $"figure size {width}×{height} is outside {MinPixels}..{MaxPixels} pixels per side");
        Width = width;
        Height = height;
        return this;
    }

    /// <summary>Fixes the y range (either end may stay automatic), e.g. YRange(0, 1) for accuracies.</summary>
    public PlotSpec YRange(double? min, double? max)
    {
        YMin = min;
        YMax = max;
        if (RangeProblem() is { } problem) throw new ArgumentException(problem);
        return this;
    }

    /// <summary>Sets the caption.</summary>
    public PlotSpec WithCaption(string? caption)
    {
        Caption = caption;
        return this;
    }

    /// <summary>Adds any series.</summary>
    public PlotSpec Add(PlotSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        _series.Add(series);
        if (MixProblem() is { } problem)
        {
            _series.RemoveAt(_series.Count - 1);
            throw new ArgumentException(problem, nameof(series));
        }
        if (series.Problem(XScale, YScale) is { } p)
        {
            _series.RemoveAt(_series.Count - 1);
            throw new ArgumentException($"figure '{Name}': {p}", nameof(series));
        }
        return this;
    }

    /// <summary>Adds a line/marker series y(x) with optional error bars ±error.</summary>
    public PlotSpec Line(string label, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? error = null,
        SeriesStyle style = SeriesStyle.LineAndMarkers, string? color = null) =>
        Add(new LineSeries(label, x, y, error, style, color));

    /// <summary>Adds one line per entry of <paramref name="ys"/>, all over the same x (autocorrelation functions, trajectories).</summary>
    public PlotSpec Lines(IReadOnlyList<string> labels, IReadOnlyList<double> x, IReadOnlyList<IReadOnlyList<double>> ys, SeriesStyle style = SeriesStyle.Line)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(ys);
        if (labels.Count != ys.Count) throw new ArgumentException($"{labels.Count} labels for {ys.Count} lines", nameof(labels));
        for (int i = 0; i < ys.Count; i++) Line(labels[i], x, ys[i], null, style);
        return this;
    }

    /// <summary>Adds a bar series (one bar per category); several bar series are grouped.</summary>
    public PlotSpec Bars(string label, IReadOnlyList<string> categories, IReadOnlyList<double> values, IReadOnlyList<double>? error = null, string? color = null) =>
        Add(new BarSeries(label, categories, values, error, color));

    /// <summary>Makes the figure a heatmap of <paramref name="cells"/> (by rows, row 0 at the top).</summary>
    public PlotSpec Heatmap(IReadOnlyList<IReadOnlyList<double>> cells, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columnLabels = null,
        string colorLabel = "", bool annotate = true, string? format = null) =>
        Add(new HeatmapSeries(cells, rowLabels, columnLabels, colorLabel, annotate, format));

    /// <summary>Makes the figure a heatmap of a rectangular matrix.</summary>
    public PlotSpec Heatmap(double[,] cells, IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columnLabels = null,
        string colorLabel = "", bool annotate = true, string? format = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var rows = new double[cells.GetLength(0)][];
        for (int r = 0; r < rows.Length; r++)
        {
            rows[r] = new double[cells.GetLength(1)];
            for (int c = 0; c < rows[r].Length; c++) rows[r][c] = cells[r, c];
        }
        return Heatmap(rows, rowLabels, columnLabels, colorLabel, annotate, format);
    }

    /// <summary>
    /// A confusion matrix: <paramref name="counts"/>[true class, predicted class], rows = true class, cells annotated
    /// with the counts.
    /// </summary>
    public static PlotSpec ConfusionMatrix(string title, long[,] counts, IReadOnlyList<string>? classes = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var cells = new double[counts.GetLength(0), counts.GetLength(1)];
        for (int r = 0; r < cells.GetLength(0); r++)
            for (int c = 0; c < cells.GetLength(1); c++) cells[r, c] = counts[r, c];
        int side = Math.Max(cells.GetLength(0), cells.GetLength(1));
        var spec = new PlotSpec(title, name).Axes("predicted class", "true class");
        spec.Size(Math.Clamp(240 + 36 * side, 480, 1200), Math.Clamp(200 + 36 * side, 420, 1100));
        return spec.Heatmap(cells, classes, classes, "count", annotate: true, format: "0");
    }

    /// <summary>A confusion matrix from int counts.</summary>
    public static PlotSpec ConfusionMatrix(string title, int[,] counts, IReadOnlyList<string>? classes = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var wide = new long[counts.GetLength(0), counts.GetLength(1)];
        for (int r = 0; r < wide.GetLength(0); r++)
            for (int c = 0; c < wide.GetLength(1); c++) wide[r, c] = counts[r, c];
        return ConfusionMatrix(title, wide, classes, name);
    }

    /// <inheritdoc/>
    public override string? Problem()
    {
        string? problem = NameProblem(Name)
            ?? (Title is null ? "figure has no title" : null)
            ?? (Width is < MinPixels or > MaxPixels || Height is < MinPixels or > MaxPixels
                ? $"figure size {Width}×{Height} is outside {MinPixels}..{MaxPixels} pixels per side" : null)
            ?? (!Enum.IsDefined(XScale) || !Enum.IsDefined(YScale) ? "unknown axis scale" : null)
            ?? RangeProblem()
            ?? MixProblem();
        if (problem is not null) return $"figure '{Name}': {problem}";
        long values = 0;
        foreach (var series in _series)
        {
            if (series.Problem(XScale, YScale) is { } p) return $"figure '{Name}': {p}";
            values += series.ValueCount;
        }
        return values > MaxValues ? $"figure '{Name}': {values} data values, at most {MaxValues}" : null;
    }

    string? RangeProblem()
    {
        if (YMin is { } lo && !double.IsFinite(lo) || YMax is { } hi && !double.IsFinite(hi)) return "the y range must be finite";
        if (YMin >= YMax) return $"the y range {YMin}..{YMax} is empty";
        if (YScale != AxisScale.Linear && (YMin <= 0 || YMax <= 0)) return $"the {YScale} y axis needs a positive range";
        return null;
    }

    string? MixProblem()
    {
        int lines = 0, bars = 0, heatmaps = 0;
        BarSeries? first = null;
        foreach (var s in _series)
        {
            switch (s)
            {
                case LineSeries: lines++; break;
                case BarSeries b:
                    bars++;
                    first ??= b;
                    if (!b.Categories.SequenceEqual(first.Categories)) return $"bar series '{b.Label}' has other categories than '{first.Label}' (grouped bars share them)";
                    break;
                case HeatmapSeries: heatmaps++; break;
            }
        }
        if (heatmaps > 0 && _series.Count > 1) return "a heatmap figure holds exactly one heatmap and nothing else";
        if (lines > 0 && bars > 0) return "a figure holds either lines or bars, not both";
        return null;
    }

    /// <summary>Null if <paramref name="name"/> is a safe PNG file stem, else the problem.</summary>
    internal static string? NameProblem(string? name) =>
        name is not null && NamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal)
            ? null
            : $"figure name '{name}' must be 1-100 letters, digits, '-', '_' or '.', start with a letter or digit and not contain '..'";

    /// <summary>"Accuracy versus samples (G)" → "accuracy-versus-samples-g".</summary>
    internal static string Slug(string title)
    {
        var sb = new StringBuilder();
        foreach (char ch in title ?? "")
        {
            if (sb.Length >= 60) break;
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        string slug = sb.ToString().Trim('-');
        return slug.Length == 0 ? "figure" : slug;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\z")]
    private static partial Regex NamePattern();
}
