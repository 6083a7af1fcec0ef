using Thermo.IO;

namespace Thermo.Reports;

/// <summary>
/// report.json: the whole <see cref="RunReport"/>, machine-readable and stable, so that two runs of the same
/// command can be diffed. Keys of results, dataset checksums and details are sorted (ordinal); numbers are
/// written in their shortest round-trip form with the invariant culture; NaN and ±∞, which JSON lacks, as null
/// (<see cref="FiniteJson"/>; the strings "NaN", "Infinity", "-Infinity" of older files are still read); number
/// arrays and table rows on one line each. Only provenance.created and
/// wall_time_seconds change between identical runs. Schema: docs/reports.md.
/// </summary>
public static class ReportJson
{
    /// <summary>Largest report.json <see cref="Load"/> reads (checked before reading).</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>The report as UTF-8 JSON (indented, ending with a newline).</summary>
    public static byte[] Serialize(RunReport report) => ReportJsonWriter.Serialize(report);

    /// <summary>Reads a report.json, or the report.json inside a run directory.</summary>
    public static RunReport Load(string path) => ReportJsonReader.Load(path);

    /// <summary>Parses report.json bytes; <paramref name="source"/> names them in errors.</summary>
    public static RunReport Parse(ReadOnlySpan<byte> utf8, string source = "report.json") => ReportJsonReader.Parse(utf8, source);

    /// <summary>The name of a report kind in report.json.</summary>
    public static string KindName(ReportKind kind) => ReportJsonWriter.KindName(kind);
}
