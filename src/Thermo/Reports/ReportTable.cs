using System.Globalization;

namespace Thermo.Reports;

/// <summary>
/// A table: a header and rows of <see cref="ReportValue"/> cells. Numbers are shown with about four significant
/// digits unless a column has a .NET format (<see cref="Format(int, string)"/>); numeric columns are right-aligned.
/// Build with <c>new ReportTable("G", "measured", "predicted").Row(1, 0.91, 0.90).Row(2, 0.95, 0.94)</c>.
/// </summary>
public sealed class ReportTable : ReportBlock
{
    readonly string[] _header;
    readonly string?[] _formats;
    readonly List<ReportValue[]> _rows = [];

    /// <summary>A table with these column names and no rows.</summary>
    public ReportTable(params IReadOnlyList<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Count == 0) throw new ArgumentException("a table needs at least one column", nameof(header));
        _header = [.. header];
        for (int i = 0; i < _header.Length; i++)
            if (_header[i] is null) throw new ArgumentException($"column {i} has no name", nameof(header));
        _formats = new string?[_header.Length];
    }

    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>Per-column .NET numeric format (null: automatic).</summary>
    public IReadOnlyList<string?> Formats => _formats;

    /// <summary>The rows, each as long as <see cref="Header"/>.</summary>
    public IReadOnlyList<IReadOnlyList<ReportValue>> Rows => _rows;

    /// <summary>Optional caption shown under the table.</summary>
    public string? Caption { get; set; }

    /// <summary>Appends a row; it must have one cell per column.</summary>
    public ReportTable Row(params ReadOnlySpan<ReportValue> cells)
    {
        if (cells.Length != _header.Length)
            throw new ArgumentException($"row {_rows.Count} has {cells.Length} cells, the table has {_header.Length} columns ({string.Join(", ", _header)})", nameof(cells));
        _rows.Add(cells.ToArray());
        return this;
    }

    /// <summary>Appends rows.</summary>
    public ReportTable AddRows(IEnumerable<IReadOnlyList<ReportValue>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows) Row([.. row]);
        return this;
    }

    /// <summary>Shows the numbers of column <paramref name="column"/> with a .NET numeric format ("F3", "P1", "E2", "0.000").</summary>
    public ReportTable Format(int column, string? format)
    {
        if ((uint)column >= (uint)_header.Length) throw new ArgumentOutOfRangeException(nameof(column), $"column {column} does not exist; the table has {_header.Length} columns");
        if (ReportValue.CheckFormat(format) is { } problem) throw new ArgumentException(problem, nameof(format));
        _formats[column] = string.IsNullOrEmpty(format) ? null : format;
        return this;
    }

    /// <summary>Shows the numbers of the column named <paramref name="column"/> with a .NET numeric format.</summary>
    public ReportTable Format(string column, string? format)
    {
        int index = Array.IndexOf(_header, column);
        if (index < 0) throw new ArgumentException($"the table has no column '{column}' (columns: {string.Join(", ", _header)})", nameof(column));
        return Format(index, format);
    }

    /// <summary>Sets the caption.</summary>
    public ReportTable WithCaption(string? caption)
    {
        Caption = caption;
        return this;
    }

    /// <summary>
    /// The cell shown as text: with its column's format if it has one; otherwise numbers of a column share one
    /// number of decimals (the most any of them needs under <see cref="ReportValue.FormatNumber"/>), so the
    /// decimal points line up: 0.825 next to 0.6364 reads 0.8250.
    /// </summary>
    public string FormatCell(int row, int column)
    {
        var cell = _rows[row][column];
        if (_formats[column] is { } format) return cell.Format(format);
        if (cell.Kind != ReportValueKind.Number || !double.IsFinite(cell.AsDouble())) return cell.Format();
        int? digits = SharedDecimals(column);
        return digits is { } d ? cell.AsDouble().ToString("F" + d.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : cell.Format();
    }

    /// <summary>Decimals shared by the numbers of a column, or null if one of them is shown in scientific form.</summary>
    int? SharedDecimals(int column)
    {
        int digits = 0;
        foreach (var row in _rows)
        {
            var cell = row[column];
            if (cell.Kind != ReportValueKind.Number) continue;
            double v = cell.AsDouble();
            if (!double.IsFinite(v) || v == 0) continue;
            string shown = ReportValue.FormatNumber(v);
            if (shown.Contains('e')) return null;
            int dot = shown.IndexOf('.');
            if (dot >= 0) digits = Math.Max(digits, shown.Length - dot - 1);
        }
        return digits;
    }

    /// <summary>True if every non-empty cell of the column is a number (the column is right-aligned).</summary>
    public bool IsNumericColumn(int column)
    {
        bool any = false;
        foreach (var row in _rows)
        {
            var cell = row[column];
            if (cell.Kind == ReportValueKind.Empty) continue;
            if (!cell.IsNumeric) return false;
            any = true;
        }
        return any;
    }

    /// <inheritdoc/>
    public override string? Problem()
    {
        foreach (var format in _formats)
            if (ReportValue.CheckFormat(format) is { } problem) return problem;
        return null;
    }
}
