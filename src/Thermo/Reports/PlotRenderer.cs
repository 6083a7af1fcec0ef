using System.Globalization;
using System.Text;
using ScottPlot;
using ScottPlot.Plottables;
using ScottPlot.TickGenerators;

namespace Thermo.Reports;

/// <summary>
/// Draws a <see cref="PlotSpec"/> as a PNG with ScottPlot (headless, through SkiaSharp). Logarithmic axes are
/// drawn by plotting log_b(v) and labelling the ticks with b^k, so G = 1, 2, 4, …, 1024 are evenly spaced.
/// The output depends only on the spec: same spec, same PNG bytes (on the same fonts and SkiaSharp build).
/// </summary>
public static class PlotRenderer
{
    // ScottPlot keeps static font caches; rendering one figure at a time keeps them consistent and the
    // output independent of which test or thread ran first. A figure takes milliseconds.
    static readonly Lock Gate = new();

    /// <summary>Matplotlib's "tab10" palette: series i gets colour i mod 10 unless it names its own.</summary>
    public static readonly IReadOnlyList<string> Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>
    /// DejaVu Sans when installed (Debian's fonts-dejavu-core; ScottPlot's own "sans" detection picks DejaVu
    /// Serif there), otherwise ScottPlot's choice. The PNG bytes depend on this font.
    /// </summary>
    static readonly string FontName =
        Fonts.GetTypeface("DejaVu Sans", bold: false, italic: false)?.FamilyName == "DejaVu Sans" ? "DejaVu Sans" : Fonts.Sans;

    /// <summary>The PNG bytes of the figure; throws <see cref="ArgumentException"/> if the spec cannot be drawn.</summary>
    public static byte[] RenderPng(PlotSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Problem() is { } problem) throw new ArgumentException(problem, nameof(spec));
        lock (Gate)
        {
            using var plot = new Plot();
            plot.Font.Set(FontName);
            plot.Title(spec.Title, 16);
            plot.XLabel(spec.XLabel, 14);
            plot.YLabel(spec.YLabel, 14);
            plot.FigureBackground.Color = Colors.White;
            plot.DataBackground.Color = Colors.White;
            plot.Grid.MajorLineColor = Color.FromHex("#e5e5e5");
            if (spec.Series.Count > 0 && spec.Series[0] is HeatmapSeries heat) DrawHeatmap(plot, heat);
            else if (spec.Series.Count > 0 && spec.Series[0] is BarSeries) DrawBars(plot, spec);
            else DrawLines(plot, spec);
            return plot.GetImageBytes(spec.Width, spec.Height, ImageFormat.Png);
        }
    }

    static Color SeriesColor(PlotSeries series, int index) => Color.FromHex(series.Color ?? Palette[index % Palette.Count]);

    static double Transform(double v, AxisScale scale) => scale switch
    {
        AxisScale.Log2 => Math.Log2(v),
        AxisScale.Log10 => Math.Log10(v),
        _ => v,
    };

    static void DrawLines(Plot plot, PlotSpec spec)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        int labelled = 0;
        bool rising = false;
        for (int s = 0; s < spec.Series.Count; s++)
        {
            var line = (LineSeries)spec.Series[s];
            var xs = new List<double>(line.X.Count);
            var ys = new List<double>(line.X.Count);
            var up = new List<double>();
            var down = new List<double>();
            bool anyError = false;
            for (int k = 0; k < line.X.Count; k++)
            {
                double x = line.X[k], y = line.Y[k];
                if (!double.IsFinite(x) || !double.IsFinite(y) || spec.YScale != AxisScale.Linear && y <= 0) continue;
                double tx = Transform(x, spec.XScale), ty = Transform(y, spec.YScale);
                xs.Add(tx);
                ys.Add(ty);
                double e = line.Error is null ? 0 : line.Error[k];
                if (!double.IsFinite(e) || e <= 0) { up.Add(0); down.Add(0); continue; }
                anyError = true;
                double hi = Transform(y + e, spec.YScale);
                double lo = spec.YScale == AxisScale.Linear ? y - e : Transform(Math.Max(y - e, y * 1e-3), spec.YScale);
                up.Add(hi - ty);
                down.Add(ty - lo);
                yMin = Math.Min(yMin, lo);
                yMax = Math.Max(yMax, hi);
            }
            if (xs.Count == 0) continue;
            foreach (double v in xs) { xMin = Math.Min(xMin, v); xMax = Math.Max(xMax, v); }
            foreach (double v in ys) { yMin = Math.Min(yMin, v); yMax = Math.Max(yMax, v); }
            if (s == 0) rising = ys[^1] > ys[0];
            var color = SeriesColor(line, s);
            var scatter = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), color);
            scatter.LineWidth = line.Style is SeriesStyle.Markers ? 0 : 2;
            scatter.MarkerSize = line.Style is SeriesStyle.Markers or SeriesStyle.LineAndMarkers ? 7 : 0;
            if (line.Style == SeriesStyle.Dashed) scatter.LinePattern = LinePattern.Dashed;
            if (line.Label.Length > 0)
            {
                scatter.LegendText = line.Label;
                labelled++;
            }
            if (anyError)
            {
                var bars = new ErrorBar(xs, ys, null, null, up, down) { Color = color, LineWidth = 1.5f, CapSize = 4 };
                plot.PlottableList.Add(bars);
            }
        }
        if (double.IsFinite(xMin) && spec.XScale != AxisScale.Linear) plot.Axes.Bottom.TickGenerator = LogTicks(xMin, xMax, spec.XScale);
        if (double.IsFinite(yMin) && spec.YScale != AxisScale.Linear) plot.Axes.Left.TickGenerator = LogTicks(yMin, yMax, spec.YScale);
        if (double.IsFinite(xMin))
        {
            double pad = xMax > xMin ? 0.04 * (xMax - xMin) : 0.5;
            plot.Axes.SetLimitsX(xMin - pad, xMax + pad);
        }
        if (double.IsFinite(yMin) || spec.YMin is not null && spec.YMax is not null)
        {
            double lo = spec.YMin is { } fixedLo ? Transform(fixedLo, spec.YScale) : yMin;
            double hi = spec.YMax is { } fixedHi ? Transform(fixedHi, spec.YScale) : yMax;
            if (!double.IsFinite(lo)) lo = hi - 1;
            if (!double.IsFinite(hi)) hi = lo + 1;
            if (hi <= lo) { lo -= 0.5; hi += 0.5; }
            double pad = 0.05 * (hi - lo);
            plot.Axes.SetLimitsY(spec.YMin is null ? lo - pad : lo, spec.YMax is null ? hi + pad : hi);
        }
        if (labelled > 0) ShowLegend(plot, labelled, rising);
    }

    static void ShowLegend(Plot plot, int items, bool rising)
    {
        if (items > 5) plot.ShowLegend(Edge.Right);
        else plot.ShowLegend(rising ? Alignment.LowerRight : Alignment.UpperRight);
        plot.Legend.FontSize = 12;
    }

    /// <summary>Major ticks at integer powers (thinned to at most 11), labelled b^k; minor ticks at 2..9 × 10^k on log-10 axes.</summary>
    static NumericManual LogTicks(double lo, double hi, AxisScale scale)
    {
        int first = (int)Math.Floor(lo), last = (int)Math.Ceiling(hi);
        int step = Math.Max(1, (int)Math.Ceiling((last - first + 1) / 11.0));
        var ticks = new NumericManual();
        for (int k = first; k <= last; k++)
        {
            if ((k - first) % step == 0) ticks.AddMajor(k, PowerLabel(k, scale));
            else ticks.AddMinor(k);
            if (scale == AxisScale.Log10 && k < last && step == 1)
                for (int m = 2; m <= 9; m++) ticks.AddMinor(k + Math.Log10(m));
        }
        return ticks;
    }

    /// <summary>2^k as a plain number for −4 ≤ k ≤ 30 (1, 2, 4, …, 1024, 0.5), 10^k for −3 ≤ k ≤ 6, otherwise b with a superscript exponent.</summary>
    internal static string PowerLabel(int k, AxisScale scale)
    {
        if (scale == AxisScale.Log2)
            return k is >= -4 and <= 30 ? Math.Pow(2, k).ToString("0.####", CultureInfo.InvariantCulture) : "2" + Superscript(k);
        return k is >= -3 and <= 6 ? Math.Pow(10, k).ToString("0.###", CultureInfo.InvariantCulture) : "10" + Superscript(k);
    }

    static string Superscript(int k)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var sb = new StringBuilder();
        foreach (char c in k.ToString(CultureInfo.InvariantCulture)) sb.Append(c == '-' ? '⁻' : digits[c - '0']);
        return sb.ToString();
    }

    static void DrawBars(Plot plot, PlotSpec spec)
    {
        var first = (BarSeries)spec.Series[0];
        int groups = spec.Series.Count, n = first.Categories.Count;
        const double groupWidth = 0.8;
        double width = groupWidth / groups;
        double lo = 0, hi = 0;
        int labelled = 0;
        for (int j = 0; j < groups; j++)
        {
            var series = (BarSeries)spec.Series[j];
            var color = SeriesColor(series, j);
            var bars = new List<Bar>(n);
            for (int i = 0; i < n; i++)
            {
                double v = series.Values[i];
                if (!double.IsFinite(v)) continue;
                double e = series.Error is { } err && double.IsFinite(err[i]) ? err[i] : 0;
                bars.Add(new Bar
                {
                    Position = i - groupWidth / 2 + (j + 0.5) * width,
                    Value = v,
                    Error = e,
                    Size = width * 0.92,
                    FillColor = color,
                    LineWidth = 1.5f,
                    LineColor = Color.FromHex("#333333"),
                });
                lo = Math.Min(lo, v - e);
                hi = Math.Max(hi, v + e);
            }
            var plottable = plot.Add.Bars(bars);
            if (series.Label.Length > 0)
            {
                plottable.LegendText = series.Label;
                labelled++;
            }
        }
        var ticks = new NumericManual();
        int longest = 0;
        for (int i = 0; i < n; i++)
        {
            ticks.AddMajor(i, first.Categories[i]);
            longest = Math.Max(longest, first.Categories[i].Length);
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        if (longest * n > 80)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }
        plot.Axes.SetLimitsX(-0.6, n - 0.4);
        double span = hi > lo ? hi - lo : 1;
        double yLo = spec.YMin ?? (lo < 0 ? lo - 0.05 * span : 0);
        double yHi = spec.YMax ?? (hi > 0 ? hi + 0.08 * span : 0);
        if (yHi <= yLo) yHi = yLo + 1;
        plot.Axes.SetLimitsY(yLo, yHi);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        if (labelled > 0 && (groups > 1 || labelled > 0)) ShowLegend(plot, labelled, rising: false);
    }

    static void DrawHeatmap(Plot plot, HeatmapSeries heat)
    {
        int rows = heat.Rows, columns = heat.Columns;
        var cells = new double[rows, columns];
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                double v = heat.Cells[r][c];
                cells[r, c] = v;
                if (double.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
            }
        var map = plot.Add.Heatmap(cells);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        var bar = plot.Add.ColorBar(map);
        bar.Label = heat.Label;

        var xTicks = new NumericManual();
        for (int c = 0; c < columns; c++) xTicks.AddMajor(c, heat.ColumnLabels[c]);
        var yTicks = new NumericManual();
        for (int r = 0; r < rows; r++) yTicks.AddMajor(rows - 1 - r, heat.RowLabels[r]);
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.HideGrid();

        if (heat.Annotate && rows <= PlotSpec.MaxAnnotatedCells && columns <= PlotSpec.MaxAnnotatedCells)
        {
            float size = Math.Clamp(220f / Math.Max(rows, columns), 8f, 14f);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                {
                    double v = heat.Cells[r][c];
                    var text = plot.Add.Text(ReportValue.FromNumber(v).Format(heat.Format), c, rows - 1 - r);
                    text.Alignment = Alignment.MiddleCenter;
                    text.LabelFontSize = size;
                    // Viridis is dark at the low end: light text there, dark text on the bright end.
                    double t = max > min && double.IsFinite(v) ? (v - min) / (max - min) : 0;
                    text.LabelFontColor = t < 0.6 ? Colors.White : Colors.Black;
                }
        }
    }
}
