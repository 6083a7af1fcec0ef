namespace Thermo.Reports;

/// <summary>
/// Points (x[i], y[i]) drawn as a line and/or markers, with optional symmetric error bars y[i] ± error[i].
/// Non-finite points (NaN, ±∞: a diverged run) are left out of the drawing but kept in report.json; so are
/// points with y ≤ 0 on a logarithmic y axis. x ≤ 0 on a logarithmic x axis is an error.
/// </summary>
public sealed class LineSeries : PlotSeries
{
    readonly double[] _x, _y;
    readonly double[]? _error;

    /// <summary>Copies the data; <paramref name="error"/> may be null.</summary>
    public LineSeries(string label, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? error = null,
        SeriesStyle style = SeriesStyle.LineAndMarkers, string? color = null) : base(label, color)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        _x = [.. x];
        _y = [.. y];
        _error = error is null ? null : [.. error];
        Style = style;
        if (LengthProblem() is { } problem) throw new ArgumentException(problem);
    }

    /// <summary>x values.</summary>
    public IReadOnlyList<double> X => _x;
    /// <summary>y values.</summary>
    public IReadOnlyList<double> Y => _y;
    /// <summary>Half-widths of the error bars, or null.</summary>
    public IReadOnlyList<double>? Error => _error;
    /// <summary>How the series is drawn.</summary>
    public SeriesStyle Style { get; }

    internal override long ValueCount => 2L * _x.Length + (_error?.Length ?? 0);

    string? LengthProblem()
    {
        if (_x.Length != _y.Length) return $"series {Name}: x has {_x.Length} values, y has {_y.Length}";
        if (_error is not null && _error.Length != _y.Length) return $"series {Name}: error has {_error.Length} values, y has {_y.Length}";
        if (_error is not null)
            foreach (double e in _error)
                if (e < 0) return $"series {Name}: error bars must be non-negative, found {e}";
        if (!Enum.IsDefined(Style)) return $"series {Name}: unknown style {Style}";
        return ColorProblem();
    }

    internal override string? Problem(AxisScale xScale, AxisScale yScale)
    {
        if (LengthProblem() is { } problem) return problem;
        if (xScale != AxisScale.Linear)
            foreach (double x in _x)
                if (x <= 0) return $"series {Name}: the {xScale} x axis needs x > 0, found x = {x}";
        return null;
    }
}
