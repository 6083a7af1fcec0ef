namespace Thermo.Reports;

/// <summary>
/// One bar per category (schedules, layers, blocks), with optional error bars. Several bar series in one
/// figure are drawn as grouped bars and must share the categories.
/// </summary>
public sealed class BarSeries : PlotSeries
{
    readonly string[] _categories;
    readonly double[] _values;
    readonly double[]? _error;

    /// <summary>Copies the data; <paramref name="error"/> may be null.</summary>
    public BarSeries(string label, IReadOnlyList<string> categories, IReadOnlyList<double> values, IReadOnlyList<double>? error = null, string? color = null)
        : base(label, color)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(values);
        _categories = [.. categories];
        _values = [.. values];
        _error = error is null ? null : [.. error];
        if (Problem(AxisScale.Linear, AxisScale.Linear) is { } problem) throw new ArgumentException(problem);
    }

    /// <summary>Category names, one per bar.</summary>
    public IReadOnlyList<string> Categories => _categories;
    /// <summary>Bar heights.</summary>
    public IReadOnlyList<double> Values => _values;
    /// <summary>Half-widths of the error bars, or null.</summary>
    public IReadOnlyList<double>? Error => _error;

    internal override long ValueCount => _values.Length + (_error?.Length ?? 0);

    internal override string? Problem(AxisScale xScale, AxisScale yScale)
    {
        if (xScale != AxisScale.Linear || yScale != AxisScale.Linear) return $"bar series {Name}: bar charts need linear axes";
        if (_categories.Length != _values.Length) return $"bar series {Name}: {_categories.Length} categories, {_values.Length} values";
        if (_categories.Length > PlotSpec.MaxCategories) return $"bar series {Name}: {_categories.Length} categories, at most {PlotSpec.MaxCategories}";
        foreach (var c in _categories)
            if (c is null) return $"bar series {Name}: a category is null";
        if (_error is not null && _error.Length != _values.Length) return $"bar series {Name}: error has {_error.Length} values, there are {_values.Length} bars";
        if (_error is not null)
            foreach (double e in _error)
                if (e < 0) return $"bar series {Name}: error bars must be non-negative, found {e}";
        return ColorProblem();
    }
}
