using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>Reads a report.json, or the report.json inside a run directory.</summary>
    public static RunReport Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string file = Directory.Exists(path) ? Path.Combine(path, ReportWriter.JsonFile) : path;
        if (!File.Exists(file))
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"run directory '{path}' has no {ReportWriter.JsonFile} (was the run finished?)"
                : $"report '{path}' does not exist", file);
        long length = new FileInfo(file).Length;
        if (length > MaxBytes) throw new InvalidDataException($"report '{file}': {length} bytes, more than the limit of {MaxBytes}");
        return Parse(File.ReadAllBytes(file), file);
    }

    /// <summary>Parses report.json bytes; <paramref name="source"/> names them in errors.</summary>
    public static RunReport Parse(ReadOnlySpan<byte> utf8, string source = "report.json")
    {
        JsonDocument doc;
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(utf8);
            doc = JsonInput.ParseDocument(utf8.ToArray(), $"report '{source}'", maxDepth: 64);
        }
        catch (DecoderFallbackException) { throw new InvalidDataException($"report '{source}': not valid UTF-8"); }
        using (doc)
        {
            var reader = new Reader(source);
            var report = reader.Report(doc.RootElement);
            if (report.Problem() is { } problem) throw new InvalidDataException($"report '{source}': {problem}");
            return report;
        }
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

    /// <summary>Reads the document, naming the JSON path of every problem.</summary>
    sealed class Reader(string source)
    {
        InvalidDataException Fail(string path, string problem) =>
            new($"report '{source}': {(path.Length == 0 ? "" : path + ": ")}{problem}");

        public RunReport Report(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) throw Fail("", "must be a JSON object");
            string format = String(root, "format", "");
            if (format != RunReport.FormatName) throw Fail("format", $"is \"{format}\", expected \"{RunReport.FormatName}\" (is this a Thermo report.json?)");
            var version = Required(root, "version", "");
            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v < 1) throw Fail("version", "must be a positive integer");
            if (v > RunReport.FormatVersion) throw Fail("version", $"{v} is newer than this Thermo reads ({RunReport.FormatVersion}); upgrade Thermo");

            var report = new RunReport(String(root, "title", ""), ParseKind(OptionalString(root, "kind", "") ?? "other"));
            if (root.TryGetProperty("seed", out var seed) && seed.ValueKind != JsonValueKind.Null)
                report.Seed = seed.ValueKind == JsonValueKind.Number && seed.TryGetUInt64(out ulong s) ? s : throw Fail("seed", "must be a non-negative integer");
            if (root.TryGetProperty("wall_time_seconds", out var wall) && wall.ValueKind != JsonValueKind.Null)
            {
                double seconds = Number(wall, "wall_time_seconds");
                if (!(seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)) throw Fail("wall_time_seconds", $"{seconds} is not a duration");
                report.WallTime = TimeSpan.FromSeconds(seconds);
            }
            if (root.TryGetProperty("provenance", out var p) && p.ValueKind != JsonValueKind.Null) report.Provenance = ReadProvenance(p);

            if (root.TryGetProperty("results", out var results) && results.ValueKind != JsonValueKind.Null)
            {
                Object(results, "results");
                foreach (var prop in results.EnumerateObject()) report.Results[prop.Name] = Value(prop.Value, "results." + prop.Name);
            }
            if (root.TryGetProperty("details", out var details) && details.ValueKind != JsonValueKind.Null)
            {
                Object(details, "details");
                foreach (var prop in details.EnumerateObject()) report.Details[prop.Name] = JsonNode.Parse(prop.Value.GetRawText());
            }
            if (root.TryGetProperty("sections", out var sections) && sections.ValueKind != JsonValueKind.Null)
            {
                Array(sections, "sections");
                int i = 0;
                foreach (var s in sections.EnumerateArray())
                {
                    string path = $"sections[{i++}]";
                    Object(s, path);
                    string title = String(s, "title", path);
                    if (report.Sections.Any(existing => existing.Title == title)) throw Fail(path, $"a second section titled '{title}'");
                    var section = report.Section(title);
                    var blocks = Required(s, "blocks", path);
                    Array(blocks, path + ".blocks");
                    int b = 0;
                    foreach (var block in blocks.EnumerateArray()) section.AddLoaded(Block(block, $"{path}.blocks[{b++}]"));
                }
            }
            return report;
        }

        Provenance ReadProvenance(JsonElement p)
        {
            Object(p, "provenance");
            var checksums = new Dictionary<string, string>(StringComparer.Ordinal);
            if (p.TryGetProperty("dataset_checksums", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                Object(c, "provenance.dataset_checksums");
                foreach (var prop in c.EnumerateObject())
                    checksums[prop.Name] = prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString()! : throw Fail("provenance.dataset_checksums." + prop.Name, "must be a string");
            }
            var created = default(DateTimeOffset);
            if (OptionalString(p, "created", "provenance") is { } text &&
                !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out created))
                throw Fail("provenance.created", $"'{text}' is not a date and time (ISO 8601)");
            return new Provenance
            {
                ThermoVersion = OptionalString(p, "thermo_version", "provenance") ?? "",
                CommandLine = OptionalString(p, "command_line", "provenance") ?? "",
                Machine = OptionalString(p, "machine", "provenance") ?? "",
                Created = created,
                DatasetChecksums = checksums,
            };
        }

        ReportBlock Block(JsonElement e, string path)
        {
            Object(e, path);
            string type = String(e, "type", path);
            try
            {
                switch (type)
                {
                    case "text":
                        return new ReportText(String(e, "markdown", path));
                    case "table":
                        var table = new ReportTable(Strings(Required(e, "header", path), path + ".header")) { Caption = OptionalString(e, "caption", path) };
                        if (e.TryGetProperty("formats", out var formats) && formats.ValueKind != JsonValueKind.Null)
                        {
                            Array(formats, path + ".formats");
                            if (formats.GetArrayLength() != table.Header.Count) throw Fail(path + ".formats", $"has {formats.GetArrayLength()} entries, the table has {table.Header.Count} columns");
                            int col = 0;
                            foreach (var f in formats.EnumerateArray())
                                table.Format(col++, f.ValueKind == JsonValueKind.Null ? null : f.ValueKind == JsonValueKind.String ? f.GetString() : throw Fail(path + ".formats", "entries must be strings or null"));
                        }
                        var rows = Required(e, "rows", path);
                        Array(rows, path + ".rows");
                        int r = 0;
                        foreach (var row in rows.EnumerateArray())
                        {
                            string rowPath = $"{path}.rows[{r++}]";
                            Array(row, rowPath);
                            var cells = new ReportValue[row.GetArrayLength()];
                            int c = 0;
                            foreach (var cell in row.EnumerateArray()) { cells[c] = Value(cell, $"{rowPath}[{c}]"); c++; }
                            table.Row(cells);
                        }
                        return table;
                    case "figure":
                        return Figure(e, path);
                    default:
                        throw Fail(path + ".type", $"unknown block type '{type}' (known: text, table, figure)");
                }
            }
            catch (ArgumentException problem)
            {
                throw Fail(path, problem.Message);
            }
        }

        PlotSpec Figure(JsonElement e, string path)
        {
            string name = String(e, "name", path);
            if (PlotSpec.NameProblem(name) is { } problem) throw Fail(path + ".name", problem);
            var plot = new PlotSpec(String(e, "title", path), name)
            {
                Caption = OptionalString(e, "caption", path),
                XLabel = OptionalString(e, "x_label", path) ?? "",
                YLabel = OptionalString(e, "y_label", path) ?? "",
                XScale = ParseScale(OptionalString(e, "x_scale", path) ?? "linear", path + ".x_scale"),
                YScale = ParseScale(OptionalString(e, "y_scale", path) ?? "linear", path + ".y_scale"),
                Width = Int(e, "width", path, plotDefault: 720),
                Height = Int(e, "height", path, plotDefault: 450),
            };
            if (e.TryGetProperty("y_min", out var lo) && lo.ValueKind != JsonValueKind.Null) plot.YMin = Number(lo, path + ".y_min");
            if (e.TryGetProperty("y_max", out var hi) && hi.ValueKind != JsonValueKind.Null) plot.YMax = Number(hi, path + ".y_max");
            var series = Required(e, "series", path);
            Array(series, path + ".series");
            int i = 0;
            foreach (var s in series.EnumerateArray())
            {
                string sp = $"{path}.series[{i++}]";
                Object(s, sp);
                string type = String(s, "type", sp);
                string label = OptionalString(s, "label", sp) ?? "";
                string? color = OptionalString(s, "color", sp);
                try
                {
                    plot.Add(type switch
                    {
                        "line" => new LineSeries(label, Numbers(Required(s, "x", sp), sp + ".x"), Numbers(Required(s, "y", sp), sp + ".y"),
                            OptionalNumbers(s, "error", sp), ParseStyle(OptionalString(s, "style", sp) ?? "line_and_markers", sp + ".style"), color),
                        "bars" => new BarSeries(label, Strings(Required(s, "categories", sp), sp + ".categories"), Numbers(Required(s, "values", sp), sp + ".values"),
                            OptionalNumbers(s, "error", sp), color),
                        "heatmap" => Heatmap(s, sp, label),
                        _ => throw Fail(sp + ".type", $"unknown series type '{type}' (known: line, bars, heatmap)"),
                    });
                }
                catch (ArgumentException a)
                {
                    throw Fail(sp, a.Message);
                }
            }
            return plot;
        }

        HeatmapSeries Heatmap(JsonElement s, string path, string label)
        {
            var cells = Required(s, "cells", path);
            Array(cells, path + ".cells");
            if (cells.GetArrayLength() > PlotSpec.MaxHeatmapSide) throw Fail(path + ".cells", $"{cells.GetArrayLength()} rows, at most {PlotSpec.MaxHeatmapSide}");
            var rows = new List<IReadOnlyList<double>>();
            int r = 0;
            foreach (var row in cells.EnumerateArray()) rows.Add(Numbers(row, $"{path}.cells[{r++}]"));
            bool annotate = !s.TryGetProperty("annotate", out var a) || a.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Fail(path + ".annotate", "must be true or false"),
            };
            return new HeatmapSeries(rows,
                s.TryGetProperty("row_labels", out var rl) ? Strings(rl, path + ".row_labels") : null,
                s.TryGetProperty("column_labels", out var cl) ? Strings(cl, path + ".column_labels") : null,
                label, annotate, OptionalString(s, "format", path));
        }

        ReportValue Value(JsonElement e, string path) => e.ValueKind switch
        {
            JsonValueKind.Null => ReportValue.Empty,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => e.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                var text => text,
            },
            JsonValueKind.Number => IsIntegerLiteral(e) && e.TryGetInt64(out long l) ? ReportValue.FromInteger(l) : ReportValue.FromNumber(Number(e, path)),
            _ => throw Fail(path, $"must be a number, string, true, false or null, found {e.ValueKind}"),
        };

        static bool IsIntegerLiteral(JsonElement e)
        {
            string raw = e.GetRawText();
            return raw.IndexOfAny(['.', 'e', 'E']) < 0 && raw != "-0";   // -0 is the double -0.0, not the integer 0
        }

        double Number(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Null) return double.NaN;   // a point that was not a finite number
            if (e.ValueKind == JsonValueKind.String)
                return e.GetString() switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    var text => throw Fail(path, $"must be a number, found \"{Shorten(text)}\""),
                };
            if (e.ValueKind != JsonValueKind.Number) throw Fail(path, $"must be a number, found {e.ValueKind}");
            double d = e.GetDouble();
            return double.IsFinite(d) ? d : throw Fail(path, $"{e.GetRawText()} is outside the double range");
        }

        double[] Numbers(JsonElement e, string path)
        {
            Array(e, path);
            var values = new double[e.GetArrayLength()];
            int i = 0;
            foreach (var item in e.EnumerateArray()) { values[i] = Number(item, $"{path}[{i}]"); i++; }
            return values;
        }

        double[]? OptionalNumbers(JsonElement e, string name, string path) =>
            e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Numbers(v, path + "." + name) : null;

        string[] Strings(JsonElement e, string path)
        {
            Array(e, path);
            var values = new string[e.GetArrayLength()];
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                values[i] = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Fail($"{path}[{i}]", $"must be a string, found {item.ValueKind}");
                i++;
            }
            return values;
        }

        int Int(JsonElement e, string name, string path, int plotDefault)
        {
            if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return plotDefault;
            return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Fail(path + "." + name, "must be an integer");
        }

        JsonElement Required(JsonElement e, string name, string path) =>
            e.TryGetProperty(name, out var v) ? v : throw Fail(path, $"has no '{name}'");

        string String(JsonElement e, string name, string path)
        {
            var v = Required(e, name, path);
            return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Fail(Join(path, name), $"must be a string, found {v.ValueKind}");
        }

        string? OptionalString(JsonElement e, string name, string path)
        {
            if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Fail(Join(path, name), $"must be a string, found {v.ValueKind}");
        }

        void Object(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Object) throw Fail(path, $"must be an object, found {e.ValueKind}");
        }

        void Array(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Array) throw Fail(path, $"must be an array, found {e.ValueKind}");
        }

        static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

        static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";

        static ReportKind ParseKind(string name) =>
            Enum.TryParse<ReportKind>(name, ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !char.IsAsciiDigit(name.FirstOrDefault('0'))
                ? kind : ReportKind.Other;

        AxisScale ParseScale(string name, string path) => name switch
        {
            "linear" => AxisScale.Linear,
            "log2" => AxisScale.Log2,
            "log10" => AxisScale.Log10,
            _ => throw Fail(path, $"unknown scale '{Shorten(name)}' (known: linear, log2, log10)"),
        };

        SeriesStyle ParseStyle(string name, string path) => name switch
        {
            "line_and_markers" => SeriesStyle.LineAndMarkers,
            "line" => SeriesStyle.Line,
            "dashed" => SeriesStyle.Dashed,
            "markers" => SeriesStyle.Markers,
            _ => throw Fail(path, $"unknown style '{Shorten(name)}' (known: line_and_markers, line, dashed, markers)"),
        };
    }
}
