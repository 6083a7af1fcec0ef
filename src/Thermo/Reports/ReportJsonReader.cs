using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.IO;

namespace Thermo.Reports;

/// <summary>The validating reader of report.json (<see cref="ReportJson.Parse"/>): every problem names its JSON path.</summary>
internal sealed class ReportJsonReader(string source)
{
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
        if (length > ReportJson.MaxBytes) throw new InvalidDataException($"report '{file}': {length} bytes, more than the limit of {ReportJson.MaxBytes}");
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
            var reader = new ReportJsonReader(source);
            var report = reader.Report(doc.RootElement);
            if (report.Problem() is { } problem) throw new InvalidDataException($"report '{source}': {problem}");
            return report;
        }
    }

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
