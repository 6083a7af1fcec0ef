using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thermo.Cli.Bench;
using Thermo.Cli.Commands;
using Thermo.IO;
using Thermo.Langevin;
using Thermo.Reports;

namespace Thermo.Tests.IO;

/// <summary>JSON has no NaN or ±∞: every writer of JSON in the project turns them into null or refuses them.</summary>
public class JsonWriterSweepTests
{
    /// <summary>
    /// Files that create JSON writers, with how this test reaches them. A new file that writes JSON makes the test
    /// fail until it routes its numbers through <see cref="FiniteJson"/> and is swept here.
    /// </summary>
    static readonly Dictionary<string, string> Writers = new()
    {
        ["src/Thermo/IO/FiniteJson.cs"] = "swept: ToFiniteJson, Write, WriteNumber",
        ["src/Thermo/Reports/ReportJsonWriter.cs"] = "swept: report.json",
        ["src/Thermo/IO/AtomicFile.cs"] = "swept: WriteJson(node) and, through TensorManifest, the Langevin manifest",
        ["src/Thermo/IO/Checkpoint.cs"] = "swept: checkpoint metadata",
        ["src/Thermo.Cli/Bench/BenchResult.cs"] = "swept: bench output",
        ["src/Thermo/IO/SafetensorsWriter.cs"] = "header holds only names, dtypes, integer shapes and offsets, and metadata strings",
        ["src/Thermo.Cli/Commands/DataCommand.cs"] = "counts and byte-pixel statistics, finite by construction (zero for an empty split)",
    };

    [Fact]
    public void Every_json_writer_writes_non_finite_numbers_as_null_or_refuses_them()
    {
        // 0. The inventory: which files write JSON at all (System.Text.Json writers, serialisers, JsonNode text).
        string root = RepositoryRoot.Path;
        var found = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f) is var text && (text.Contains("new Utf8JsonWriter(") || text.Contains("JsonSerializer.Serialize") || text.Contains("ToJsonString(")))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToHashSet();
        Assert.True(found.SetEquals(Writers.Keys),
            $"JSON writers changed: new {string.Join(", ", found.Except(Writers.Keys))}; gone {string.Join(", ", Writers.Keys.Except(found))}. "
            + "Route numbers through FiniteJson (ToFiniteJson instead of ToJsonString) and sweep the new writer here.");

        double[] bad = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        void Strict(string json, string writer)
        {
            using var _ = JsonDocument.Parse(json);   // valid JSON
            Assert.False(json.Contains("NaN") || json.Contains("Infinity"), $"{writer} wrote a non-finite number: {json}");
        }

        // 1. FiniteJson itself, on doubles and floats at every depth.
        var tree = new JsonObject
        {
            ["d"] = double.NaN, ["f"] = float.PositiveInfinity, ["ok"] = 1.5,
            ["a"] = new JsonArray(double.NegativeInfinity, 2, new JsonObject { ["x"] = float.NaN }),
        };
        string text = tree.ToFiniteJson();
        Strict(text, "ToFiniteJson");
        Assert.Equal("""{"d":null,"f":null,"ok":1.5,"a":[null,2,{"x":null}]}""", text);
        Strict(tree.ToFiniteJsonIndented(), "ToFiniteJsonIndented");
        Assert.Null(FiniteJson.Number(double.NaN));

        // 2. report.json and the details JSON shown in report.md/html.
        var report = new RunReport("sweep");
        var table = new ReportTable("v");
        for (int i = 0; i < bad.Length; i++) { report.Result($"r{i}", bad[i]); table.Row(bad[i]); }
        report.Detail("model", new JsonObject { ["kT_heat"] = double.PositiveInfinity, ["list"] = new JsonArray(float.NaN) });
        report.Section("s").Table(table).Plot(new PlotSpec("p").Line("l", [0, 1, 2], bad));
        Strict(Encoding.UTF8.GetString(ReportJson.Serialize(report)), "ReportJson");
        Strict(ReportDisplay.DetailsJson(report), "ReportDisplay.DetailsJson");

        // 3. Manifests (TensorManifest through AtomicFile) and AtomicFile.WriteJson.
        using var dir = new TempDirectory();
        var c = new LangevinComputer(4, 2, 3);
        LangevinModelFile.Save(dir.File("m.json"), c, new LangevinSchedule(1e-3f, 10), new JsonObject { ["fit_residual"] = double.NaN });
        Strict(File.ReadAllText(dir.File("m.json")), "LangevinModelFile/TensorManifest");
        Assert.Null(LangevinModelFile.Load(dir.File("m.json")).Content["training"]!["fit_residual"]);
        AtomicFile.WriteJson(dir.File("n.json"), new JsonObject { ["x"] = double.NegativeInfinity });
        Strict(File.ReadAllText(dir.File("n.json")), "AtomicFile.WriteJson");

        // 4. Checkpoint metadata: a best metric that is not a number is "none yet"; extras become null; a learning rate must be a number.
        var metadata = new CheckpointMetadata { Training = new TrainingState { LearningRate = 1e-3, BestMetric = double.NaN, Extra = new JsonObject { ["ema"] = double.PositiveInfinity } } };
        string meta = Checkpoint.SerializeMetadata(metadata);
        Strict(meta, "Checkpoint");
        using (var doc = JsonDocument.Parse(meta))
        {
            Assert.False(doc.RootElement.GetProperty("training").TryGetProperty("best_metric", out _));
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("training").GetProperty("extra").GetProperty("ema").ValueKind);
        }
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.SerializeMetadata(new CheckpointMetadata { Training = new TrainingState { LearningRate = double.NaN } }));
        Assert.Contains("learning rate", e.Message);

        // 5. CLI writers: bench results and ising sample reports.
        var bench = new BenchResult("gemm", "gflops", "GFLOP/s");
        foreach (var v in bad) bench.Add($"k{Array.IndexOf(bad, v)}", v);
        Strict(bench.ToJson(), "BenchResult");
        var sample = new IsingSampleReport();
        sample.Settings.Add(("beta", double.NaN));
        Strict(sample.ToJson(), "IsingSampleReport");
    }
}
