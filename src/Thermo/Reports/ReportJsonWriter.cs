using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Reports;

/// <summary>Writes report.json (<see cref="ReportJson.Serialize"/>): sorted keys, shortest round-trip numbers, one line per number array and table row.</summary>
internal static class ReportJsonWriter
{
    static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The report as UTF-8 JSON (indented, ending with a newline).</summary>
    public static byte[] Serialize(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var buffer = new ArrayBufferWriter<byte>(1 << 14);
        using (var w = new Utf8JsonWriter(buffer, Indented)) Write(w, report);
        var bytes = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    static void Write(Utf8JsonWriter w, RunReport r)
    {
        w.WriteStartObject();
        w.WriteString("format", RunReport.FormatName);
        w.WriteNumber("version", RunReport.FormatVersion);
        w.WriteString("title", r.Title);
        w.WriteString("kind", KindName(r.Kind));
        if (r.Seed is { } seed) w.WriteNumber("seed", seed);
        if (r.WallTime is { } wall) { w.WritePropertyName("wall_time_seconds"); WriteNumber(w, wall.TotalSeconds); }

        var p = r.Provenance;
        w.WriteStartObject("provenance");
        w.WriteString("thermo_version", p.ThermoVersion);
        w.WriteString("command_line", p.CommandLine);
        w.WriteString("machine", p.Machine);
        w.WriteString("created", p.Created.ToString("O", CultureInfo.InvariantCulture));
        w.WriteStartObject("dataset_checksums");
        foreach (var key in p.DatasetChecksums.Keys.Order(StringComparer.Ordinal)) w.WriteString(key, p.DatasetChecksums[key]);
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject("results");
        foreach (var (name, value) in r.Results) { w.WritePropertyName(name); WriteValue(w, value); }
        w.WriteEndObject();

        w.WritePropertyName("details");
        WriteSorted(w, r.Details);

        w.WriteStartArray("sections");
        foreach (var section in r.Sections)
        {
            w.WriteStartObject();
            w.WriteString("title", section.Title);
            w.WriteStartArray("blocks");
            foreach (var block in section.Blocks) WriteBlock(w, block);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static void WriteBlock(Utf8JsonWriter w, ReportBlock block)
    {
        w.WriteStartObject();
        switch (block)
        {
            case ReportText text:
                w.WriteString("type", "text");
                w.WriteString("markdown", text.Markdown);
                break;
            case ReportTable table:
                w.WriteString("type", "table");
                if (table.Caption is not null) w.WriteString("caption", table.Caption);
                w.WritePropertyName("header");
                w.WriteRawValue(OneLine(c => WriteStrings(c, table.Header)));
                if (table.Formats.Any(f => f is not null))
                {
                    w.WritePropertyName("formats");
                    w.WriteRawValue(OneLine(c =>
                    {
                        c.WriteStartArray();
                        foreach (var f in table.Formats) if (f is null) c.WriteNullValue(); else c.WriteStringValue(f);
                        c.WriteEndArray();
                    }));
                }
                WriteLines(w, "rows", table.Rows.Select(row => OneLine(c =>
                {
                    c.WriteStartArray();
                    foreach (var cell in row) WriteValue(c, cell);
                    c.WriteEndArray();
                })));
                break;
            case PlotSpec plot:
                WriteFigure(w, plot);
                break;
            default:
                throw new NotSupportedException($"report block {block.GetType().Name} has no JSON form");
        }
        w.WriteEndObject();
    }

    static void WriteFigure(Utf8JsonWriter w, PlotSpec plot)
    {
        w.WriteString("type", "figure");
        w.WriteString("name", plot.Name);
        w.WriteString("title", plot.Title);
        if (plot.Caption is not null) w.WriteString("caption", plot.Caption);
        w.WriteString("x_label", plot.XLabel);
        w.WriteString("y_label", plot.YLabel);
        w.WriteString("x_scale", ScaleName(plot.XScale));
        w.WriteString("y_scale", ScaleName(plot.YScale));
        w.WriteNumber("width", plot.Width);
        w.WriteNumber("height", plot.Height);
        if (plot.YMin is { } lo) { w.WritePropertyName("y_min"); WriteNumber(w, lo); }
        if (plot.YMax is { } hi) { w.WritePropertyName("y_max"); WriteNumber(w, hi); }
        w.WriteStartArray("series");
        foreach (var series in plot.Series)
        {
            w.WriteStartObject();
            switch (series)
            {
                case LineSeries line:
                    w.WriteString("type", "line");
                    w.WriteString("label", line.Label);
                    w.WriteString("style", StyleName(line.Style));
                    if (line.Color is not null) w.WriteString("color", line.Color);
                    WriteNumbers(w, "x", line.X);
                    WriteNumbers(w, "y", line.Y);
                    if (line.Error is not null) WriteNumbers(w, "error", line.Error);
                    break;
                case BarSeries bars:
                    w.WriteString("type", "bars");
                    w.WriteString("label", bars.Label);
                    if (bars.Color is not null) w.WriteString("color", bars.Color);
                    w.WritePropertyName("categories");
                    w.WriteRawValue(OneLine(c => WriteStrings(c, bars.Categories)));
                    WriteNumbers(w, "values", bars.Values);
                    if (bars.Error is not null) WriteNumbers(w, "error", bars.Error);
                    break;
                case HeatmapSeries heat:
                    w.WriteString("type", "heatmap");
                    w.WriteString("label", heat.Label);
                    w.WriteBoolean("annotate", heat.Annotate);
                    if (heat.Format is not null) w.WriteString("format", heat.Format);
                    w.WritePropertyName("row_labels");
                    w.WriteRawValue(OneLine(c => WriteStrings(c, heat.RowLabels)));
                    w.WritePropertyName("column_labels");
                    w.WriteRawValue(OneLine(c => WriteStrings(c, heat.ColumnLabels)));
                    WriteLines(w, "cells", heat.Cells.Select(row => OneLine(c => WriteNumberArray(c, row))));
                    break;
                default:
                    throw new NotSupportedException($"plot series {series.GetType().Name} has no JSON form");
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static byte[] OneLine(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var c = new Utf8JsonWriter(buffer, Compact)) write(c);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An array of one-line items, one item per line (a table row or a matrix row per line diffs well).</summary>
    static void WriteLines(Utf8JsonWriter w, string name, IEnumerable<byte[]> items)
    {
        w.WritePropertyName(name);
        var text = new List<byte>(1024) { (byte)'[' };
        string indent = new(' ', 2 * (w.CurrentDepth + 1));
        bool first = true;
        foreach (var item in items)
        {
            if (!first) text.Add((byte)',');
            first = false;
            text.Add((byte)'\n');
            text.AddRange(Encoding.UTF8.GetBytes(indent));
            text.AddRange(item);
        }
        if (!first)
        {
            text.Add((byte)'\n');
            text.AddRange(Encoding.UTF8.GetBytes(indent[2..]));
        }
        text.Add((byte)']');
        w.WriteRawValue(text.ToArray());
    }

    static void WriteStrings(Utf8JsonWriter w, IReadOnlyList<string> values)
    {
        w.WriteStartArray();
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    static void WriteNumbers(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(OneLine(c => WriteNumberArray(c, values)));
    }

    static void WriteNumberArray(Utf8JsonWriter w, IReadOnlyList<double> values)
    {
        w.WriteStartArray();
        foreach (double v in values) WriteNumber(w, v);
        w.WriteEndArray();
    }

    /// <summary>Shortest round-trip form; NaN and ±∞ (which JSON lacks) as null.</summary>
    static void WriteNumber(Utf8JsonWriter w, double value) => FiniteJson.WriteNumber(w, value);

    /// <summary>
    /// A number value written so that it reads back as a number, not an integer: a whole double gets ".0" (5.0, not 5),
    /// since the reader tells the kinds apart by the literal and the kinds render differently (1e6 as "1e6", the integer
    /// as "1000000"); `thermo report` then re-renders byte for byte.
    /// </summary>
    static void WriteFloatingNumber(Utf8JsonWriter w, double value)
    {
        if (!double.IsFinite(value)) { w.WriteNullValue(); return; }
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.AsSpan().IndexOfAny(".eE") < 0) text += ".0";
        w.WriteRawValue(text);
    }

    static void WriteValue(Utf8JsonWriter w, ReportValue value)
    {
        switch (value.Kind)
        {
            case ReportValueKind.Empty: w.WriteNullValue(); break;
            case ReportValueKind.Number: WriteFloatingNumber(w, value.AsDouble()); break;
            case ReportValueKind.Integer: w.WriteNumberValue(value.AsInteger()); break;
            case ReportValueKind.Boolean: w.WriteBooleanValue(value.AsBoolean()); break;
            default: w.WriteStringValue(value.AsText()); break;
        }
    }

    /// <summary>Writes caller JSON with object keys sorted at every level (arrays keep their order).</summary>
    static void WriteSorted(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null: w.WriteNullValue(); break;
            case JsonObject obj:
                w.WriteStartObject();
                foreach (var (key, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(key);
                    WriteSorted(w, child);
                }
                w.WriteEndObject();
                break;
            case JsonArray array:
                w.WriteStartArray();
                foreach (var child in array) WriteSorted(w, child);
                w.WriteEndArray();
                break;
            case JsonValue value:
                FiniteJson.Write(w, value);
                break;
        }
    }

    internal static string KindName(ReportKind kind) => kind.ToString().ToLowerInvariant();

    internal static string ScaleName(AxisScale scale) => scale switch
    {
        AxisScale.Log2 => "log2",
        AxisScale.Log10 => "log10",
        _ => "linear",
    };

    static string StyleName(SeriesStyle style) => style switch
    {
        SeriesStyle.Line => "line",
        SeriesStyle.Dashed => "dashed",
        SeriesStyle.Markers => "markers",
        _ => "line_and_markers",
    };
}
