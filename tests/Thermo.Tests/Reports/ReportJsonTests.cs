using System.Text;
using System.Text.Json;
using Thermo.Reports;
using Thermo.Tests.IO;

namespace Thermo.Tests.Reports;

public class ReportJsonTests
{
    [Fact]
    public void Serialize_parse_serialize_gives_the_same_bytes()
    {
        byte[] first = ReportJson.Serialize(SampleReports.Full());
        var parsed = ReportJson.Parse(first);
        Assert.Equal(Encoding.UTF8.GetString(first), Encoding.UTF8.GetString(ReportJson.Serialize(parsed)));
    }

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        var original = SampleReports.Full();
        var r = ReportJson.Parse(ReportJson.Serialize(original));
        Assert.Equal(original.Title, r.Title);
        Assert.Equal(ReportKind.Quickstart, r.Kind);
        Assert.Equal(42UL, r.Seed);
        Assert.Equal(TimeSpan.FromSeconds(83.25), r.WallTime);
        Assert.Equal(original.Provenance.CommandLine, r.CommandLine);
        Assert.Equal(original.Provenance.Machine, r.Provenance.Machine);
        Assert.Equal(original.Provenance.ThermoVersion, r.Provenance.ThermoVersion);
        Assert.Equal(original.Provenance.Created, r.Provenance.Created);
        Assert.Equal(original.Provenance.DatasetChecksums.OrderBy(p => p.Key), r.Provenance.DatasetChecksums.OrderBy(p => p.Key));
        Assert.Equal(original.Results.Keys, r.Results.Keys);
        Assert.Equal(0.98765432, r.Results["test_accuracy"].AsDouble());
        Assert.Equal(64, r.Results["samples_per_block"].AsInteger());
        Assert.Equal("mnist-conv", r.Results["preset"].AsText());
        Assert.True(r.Results["converged"].AsBoolean());
        Assert.Equal(ReportValueKind.Empty, r.Results["loss_final"].Kind);   // NaN: JSON has none, so it is written as null
        Assert.Equal(2, r.Details["epochs"]!.AsArray().Count);
        Assert.Equal(original.Sections.Select(s => s.Title), r.Sections.Select(s => s.Title));
        Assert.Equal(original.Figures().Select(f => f.Name), r.Figures().Select(f => f.Name));
        var line = (LineSeries)r.Figures().First().Series[0];
        var originalLine = (LineSeries)original.Figures().First().Series[0];
        Assert.Equal(originalLine.X, line.X);
        Assert.Equal(originalLine.Y, line.Y);
        Assert.Equal(originalLine.Error, line.Error);
        Assert.Equal(AxisScale.Log2, r.Figures().First().XScale);
        var table = r.Sections[0].Blocks.OfType<ReportTable>().Single();
        Assert.Equal("F4", table.Formats[2]);
        Assert.Equal(11, table.Rows.Count);
    }

    [Fact]
    public void Finite_doubles_round_trip_exactly_and_non_finite_ones_come_back_as_empty_values()
    {
        double[] values = [0.1, 1.0 / 3, Math.PI, double.Epsilon, double.MaxValue, -double.MaxValue, 1e-300, -0.0, 123456789.123456789,
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, ReportValue.Widen(0.9912f)];
        var report = new RunReport("floats");
        var table = new ReportTable("v");
        for (int i = 0; i < values.Length; i++)
        {
            report.Result($"v{i:00}", values[i]);
            table.Row(values[i]);
        }
        report.Section("s").Table(table).Plot(new PlotSpec("p").Line("l", values.Select((_, i) => (double)i).ToArray(), values));
        var bytes = ReportJson.Serialize(report);
        Assert.DoesNotContain("NaN", Encoding.UTF8.GetString(bytes));
        Assert.DoesNotContain("Infinity", Encoding.UTF8.GetString(bytes));
        var r = ReportJson.Parse(bytes);
        var y = ((LineSeries)r.Figures().Single().Series[0]).Y;
        var rows = r.Sections[0].Blocks.OfType<ReportTable>().Single().Rows;
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]))
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(values[i]), BitConverter.DoubleToInt64Bits(r.Results[$"v{i:00}"].AsDouble()));
                Assert.Equal(BitConverter.DoubleToInt64Bits(values[i]), BitConverter.DoubleToInt64Bits(y[i]));
            }
            else
            {
                // JSON has no NaN or ±∞: written as null, read as an empty value (results, cells) or a missing point (NaN).
                Assert.Equal(ReportValueKind.Empty, r.Results[$"v{i:00}"].Kind);
                Assert.Equal(ReportValueKind.Empty, rows[i][0].Kind);
                Assert.True(double.IsNaN(y[i]));
            }
        }
    }

    [Fact]
    public void Reports_written_with_the_older_nan_and_infinity_strings_still_read_as_empty_values()
    {
        var json = """{"format": "thermo.report", "version": 1, "title": "old", "kind": "other", "results": {"a": "NaN", "b": "Infinity", "c": "-Infinity", "d": "text"}}""";
        var r = ReportJson.Parse(Encoding.UTF8.GetBytes(json));
        foreach (var key in new[] { "a", "b", "c" }) Assert.Equal(ReportValueKind.Empty, r.Results[key].Kind);
        Assert.Equal("text", r.Results["d"].AsText());
    }

    [Fact]
    public void Float_results_are_stored_in_their_shortest_decimal_form()
    {
        var report = new RunReport("f").Result("acc", 0.9912f);
        string json = Encoding.UTF8.GetString(ReportJson.Serialize(report));
        Assert.Contains("\"acc\": 0.9912", json);
        Assert.Equal(0.9912f, (float)ReportJson.Parse(Encoding.UTF8.GetBytes(json)).Results["acc"].AsDouble());
    }

    [Fact]
    public void Keys_are_sorted_whatever_order_they_were_added_in()
    {
        var a = new RunReport("k");
        a.Result("zeta", 1).Result("alpha", 2);
        a.Detail("b", new System.Text.Json.Nodes.JsonObject { ["y"] = 1, ["x"] = 2 }).Detail("a", 3);
        a.Provenance = a.Provenance with { DatasetChecksums = new() { ["z"] = "sha256:1", ["a"] = "sha256:2" } };
        var b = new RunReport("k");
        b.Result("alpha", 2).Result("zeta", 1);
        b.Detail("a", 3).Detail("b", new System.Text.Json.Nodes.JsonObject { ["x"] = 2, ["y"] = 1 });
        b.Provenance = b.Provenance with { DatasetChecksums = new() { ["a"] = "sha256:2", ["z"] = "sha256:1" } };
        string ja = Encoding.UTF8.GetString(ReportJson.Serialize(a));
        Assert.Equal(ja, Encoding.UTF8.GetString(ReportJson.Serialize(b)));
        Assert.True(ja.IndexOf("\"alpha\"", StringComparison.Ordinal) < ja.IndexOf("\"zeta\"", StringComparison.Ordinal));
        Assert.True(ja.IndexOf("\"x\"", StringComparison.Ordinal) < ja.IndexOf("\"y\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Number_arrays_and_table_rows_are_one_line_each()
    {
        string json = Encoding.UTF8.GetString(ReportJson.Serialize(SampleReports.Small()));
        Assert.Contains("\"x\": [1,2]", json);
        Assert.Contains("[1,0.5]", json);
        Assert.Contains("\"header\": [\"G\",\"accuracy\"]", json);
    }

    [Fact]
    public void Seed_keeps_all_64_bits()
    {
        var report = new RunReport("s") { Seed = ulong.MaxValue };
        Assert.Equal(ulong.MaxValue, ReportJson.Parse(ReportJson.Serialize(report)).Seed);
    }

    [Fact]
    public void Load_accepts_a_run_directory_or_the_file()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("report.json"), ReportJson.Serialize(SampleReports.Small()));
        Assert.Equal("small", RunReport.Load(dir.Path).Title);
        Assert.Equal("small", RunReport.Load(dir.File("report.json")).Title);
        var missing = Assert.Throws<FileNotFoundException>(() => RunReport.Load(dir.File("nope")));
        Assert.Contains("does not exist", missing.Message);
        var empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        Assert.Contains("has no report.json", Assert.Throws<FileNotFoundException>(() => RunReport.Load(empty)).Message);
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "not json", "not valid JSON" },
        { "[1,2]", "must be a JSON object" },
        { """{"format":"thermo.checkpoint","version":1,"title":"t"}""", "expected \"thermo.report\"" },
        { """{"format":"thermo.report","version":9,"title":"t"}""", "newer than this Thermo reads" },
        { """{"format":"thermo.report","version":"1","title":"t"}""", "positive integer" },
        { """{"format":"thermo.report","version":1,"title":"t","title":"u"}""", "key \"title\" appears twice" },
        { """{"format":"thermo.report","version":1}""", "has no 'title'" },
        { """{"format":"thermo.report","version":1,"title":"t","seed":-1}""", "seed" },
        { Figure("""{"type":"figure","name":"../../etc/passwd","title":"x","series":[]}"""), "figure name" },
        { Figure("""{"type":"figure","name":"a/b","title":"x","series":[]}"""), "figure name" },
        { Figure("""{"type":"figure","name":"ok","title":"x","width":100000000,"height":100000000,"series":[]}"""), "pixels per side" },
        { Figure("""{"type":"figure","name":"ok","title":"x","series":[{"type":"line","x":[1,2],"y":[1]}]}"""), "x has 2 values, y has 1" },
        { Figure("""{"type":"figure","name":"ok","title":"x","x_scale":"log2","series":[{"type":"line","x":[0,2],"y":[1,1]}]}"""), "needs x > 0" },
        { Figure("""{"type":"figure","name":"ok","title":"x","x_scale":"log7","series":[]}"""), "unknown scale" },
        { Figure("""{"type":"figure","name":"ok","title":"x","series":[{"type":"pie"}]}"""), "unknown series type 'pie'" },
        { Figure("""{"type":"figure","name":"ok","title":"x","series":[{"type":"heatmap","cells":[[1,2],[3]]}]}"""), "row 1 has 1 cells" },
        { Figure("""{"type":"figure","name":"ok","title":"x","series":[{"type":"line","x":[1],"y":["a"]}]}"""), "must be a number" },
        { Figure("""{"type":"figure","name":"same","title":"x","series":[]},{"type":"figure","name":"SAME","title":"y","series":[]}"""), "two figures are named" },
        { Figure("""{"type":"table","header":["a","b"],"rows":[[1]]}"""), "row 0 has 1 cells" },
        { Figure("""{"type":"table","header":["a"],"formats":["D3"],"rows":[]}"""), "not a .NET numeric format" },
        { Figure("""{"type":"video"}"""), "unknown block type 'video'" },
    };

    static string Figure(string blocks) => $$"""{"format":"thermo.report","version":1,"title":"t","sections":[{"title":"s","blocks":[{{blocks}}]}]}""";

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Damaged_or_hostile_json_is_refused_with_a_message_naming_the_file(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ReportJson.Parse(Encoding.UTF8.GetBytes(json), "runs/x/report.json"));
        Assert.StartsWith("report 'runs/x/report.json': ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"format\":\"thermo.report\",\"version\":1,\"title\":\""), 0xC3, 0x28, .. "\"}"u8];
        Assert.Contains("not valid UTF-8", Assert.Throws<InvalidDataException>(() => ReportJson.Parse(bytes)).Message);
    }

    [Fact]
    public void Unknown_kind_reads_as_other_and_unknown_fields_are_ignored()
    {
        var r = ReportJson.Parse("""{"format":"thermo.report","version":1,"title":"t","kind":"teleport","future_field":{"a":1}}"""u8);
        Assert.Equal(ReportKind.Other, r.Kind);
    }

    [Fact]
    public void Every_truncation_of_a_valid_report_is_refused_cleanly()
    {
        byte[] bytes = ReportJson.Serialize(SampleReports.Small());
        for (int n = 0; n < bytes.Length - 2; n += 7)
        {
            try { ReportJson.Parse(bytes.AsSpan(0, n)); }
            catch (InvalidDataException) { }
        }
    }

    [Fact]
    public void Json_is_valid_for_a_strict_parser()
    {
        using var doc = JsonDocument.Parse(ReportJson.Serialize(SampleReports.Full()));
        Assert.Equal("thermo.report", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
    }
}
