namespace Thermo.Reports;

/// <summary>What a <see cref="ReportValue"/> holds.</summary>
public enum ReportValueKind
{
    /// <summary>No value (an empty table cell, JSON null).</summary>
    Empty,
    /// <summary>A floating-point number (may be NaN or ±∞).</summary>
    Number,
    /// <summary>A 64-bit integer (counts, sizes, seeds below 2⁶³).</summary>
    Integer,
    /// <summary>Text.</summary>
    Text,
    /// <summary>true or false.</summary>
    Boolean,
}
