using System.Globalization;

namespace Thermo.Reports;

/// <summary>
/// One key result or table cell: a number, an integer, text, a flag, or empty. Numbers keep their full
/// precision in report.json and are shown with about four significant digits (<see cref="Format"/>).
/// Converts implicitly from double, float, int, long, string and bool, so <c>Row(64, 0.9912, "Gibbs")</c> works.
/// </summary>
public readonly record struct ReportValue
{
    readonly double _number;
    readonly long _integer;
    readonly string? _text;

    /// <summary>What the value holds.</summary>
    public ReportValueKind Kind { get; }

    ReportValue(ReportValueKind kind, double number = 0, long integer = 0, string? text = null)
    {
        Kind = kind;
        _number = number;
        _integer = integer;
        _text = text;
    }

    /// <summary>The empty value (an empty cell; JSON null).</summary>
    public static ReportValue Empty => default;

    /// <summary>
    /// A floating-point value; NaN and ±∞ become <see cref="Empty"/>, because report.json (JSON) cannot hold them and
    /// a report must read back as it was rendered.
    /// </summary>
    public static ReportValue FromNumber(double value) => double.IsFinite(value) ? new(ReportValueKind.Number, number: value) : default;

    /// <summary>
    /// A float32 value, widened through its shortest decimal form so 0.9912f is stored as 0.9912 rather than
    /// 0.99119997024536133; casting the stored double back to float gives the same float.
    /// </summary>
    public static ReportValue FromFloat(float value) => FromNumber(Widen(value));

    /// <summary>An integer value.</summary>
    public static ReportValue FromInteger(long value) => new(ReportValueKind.Integer, integer: value);

    /// <summary>A text value (null becomes <see cref="Empty"/>).</summary>
    public static ReportValue FromText(string? value) => value is null ? default : new(ReportValueKind.Text, text: value);

    /// <summary>A flag.</summary>
    public static ReportValue FromBoolean(bool value) => new(ReportValueKind.Boolean, integer: value ? 1 : 0);

    /// <summary>Widens a float to the double with the same shortest decimal form.</summary>
    public static double Widen(float value) =>
        float.IsFinite(value) ? double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : value;

#pragma warning disable CS1591 // the conversions are described on the type
    public static implicit operator ReportValue(double value) => FromNumber(value);
    public static implicit operator ReportValue(float value) => FromFloat(value);
    public static implicit operator ReportValue(int value) => FromInteger(value);
    public static implicit operator ReportValue(long value) => FromInteger(value);
    public static implicit operator ReportValue(string? value) => FromText(value);
    public static implicit operator ReportValue(bool value) => FromBoolean(value);
#pragma warning restore CS1591

    /// <summary>True for <see cref="ReportValueKind.Number"/> and <see cref="ReportValueKind.Integer"/>.</summary>
    public bool IsNumeric => Kind is ReportValueKind.Number or ReportValueKind.Integer;

    /// <summary>The value as a double (integers are converted); throws for text, flags and empty values.</summary>
    public double AsDouble() => Kind switch
    {
        ReportValueKind.Number => _number,
        ReportValueKind.Integer => _integer,
        _ => throw new InvalidOperationException($"report value of kind {Kind} is not a number"),
    };

    /// <summary>The integer; throws unless <see cref="Kind"/> is <see cref="ReportValueKind.Integer"/>.</summary>
    public long AsInteger() => Kind == ReportValueKind.Integer ? _integer : throw new InvalidOperationException($"report value of kind {Kind} is not an integer");

    /// <summary>The text; throws unless <see cref="Kind"/> is <see cref="ReportValueKind.Text"/>.</summary>
    public string AsText() => Kind == ReportValueKind.Text ? _text! : throw new InvalidOperationException($"report value of kind {Kind} is not text");

    /// <summary>The flag; throws unless <see cref="Kind"/> is <see cref="ReportValueKind.Boolean"/>.</summary>
    public bool AsBoolean() => Kind == ReportValueKind.Boolean ? _integer != 0 : throw new InvalidOperationException($"report value of kind {Kind} is not a flag");

    /// <summary>
    /// The value as people read it. Numbers use <paramref name="format"/> (a .NET numeric format such as "F3"
    /// or "P1", invariant culture) when given; otherwise <see cref="FormatNumber"/>. Integers are written in full.
    /// </summary>
    public string Format(string? format = null) => Kind switch
    {
        ReportValueKind.Empty => "",
        ReportValueKind.Text => _text!,
        ReportValueKind.Boolean => _integer != 0 ? "true" : "false",
        ReportValueKind.Integer => _integer.ToString(string.IsNullOrEmpty(format) ? "D" : format, CultureInfo.InvariantCulture),
        _ => string.IsNullOrEmpty(format) || !double.IsFinite(_number) ? FormatNumber(_number) : _number.ToString(format, CultureInfo.InvariantCulture),
    };

    /// <summary>The displayed form (<see cref="Format"/> with no format).</summary>
    public override string ToString() => Format();

    /// <summary>
    /// About four significant digits without trailing zeros, never dropping integer digits: 0.99123 → "0.9912",
    /// 1234.56 → "1235", 0.5 → "0.5"; below 10⁻³ or from 10⁶ on in scientific form (3.2e-12, 1.5e6); NaN, ∞, -∞.
    /// </summary>
    public static string FormatNumber(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "∞";
        if (double.IsNegativeInfinity(value)) return "-∞";
        if (value == 0) return "0";
        double magnitude = Math.Abs(value);
        if (magnitude >= 1e6 || magnitude < 1e-3) return value.ToString("0.###e0", CultureInfo.InvariantCulture);
        int digits = Math.Clamp(3 - (int)Math.Floor(Math.Log10(magnitude)), 0, 6);
        string text = value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        return text == "-0" ? "0" : text;
    }

    /// <summary>Checks that <paramref name="format"/> is a usable numeric format; null if it is, else the problem.</summary>
    internal static string? CheckFormat(string? format)
    {
        if (string.IsNullOrEmpty(format)) return null;
        if (format.Length > 32) return $"number format '{format[..32]}…' is longer than 32 characters";
        try
        {
            _ = 1.5.ToString(format, CultureInfo.InvariantCulture);
            _ = 15L.ToString(format, CultureInfo.InvariantCulture);
            return null;
        }
        catch (FormatException)
        {
            return $"'{format}' is not a .NET numeric format (try F3, P1, E2 or 0.000)";
        }
    }
}
