using System.CommandLine;
using System.Text.Json.Nodes;
using Thermo.Cli;
using Thermo.Cli.Commands;
using Thermo.IO;
using Thermo.Tests.IO;
using Thermo.Tests.Training;
using Thermo.Training;

namespace Thermo.Tests.Cli.Commands;

[Collection(ConsoleCollection.Name)]
public class ScheduleCommandTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    const string Definition = """
        {"name": "schedule-test", "family": "ising-blocks", "input": [1, 28, 28], "classes": 10, "binarize": 0.5, "delta": 0.5, "population": 2,
         "blocks": [{"hidden": {"type": "linear", "out": 12}, "output": {"type": "linear", "out": 8}},
                    {"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}]}
        """;

    static int Run(out string stdout, params string[] args)
    {
        var root = new RootCommand();
        root.Options.Add(CommonOptions.Threads);
        root.Subcommands.Add(ScheduleCommand.Create());
        var writer = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(writer);
        try { return root.Parse(args).Invoke(); }
        finally { Console.SetOut(previous); stdout = writer.ToString(); }
    }

    string Checkpoint()
    {
        var spec = ModelSpec.Parse(Definition);
        var net = spec.Build();
        net.Initialize(5);
        string path = dir.File("tiny.safetensors");
        Thermo.IO.Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
        return path;
    }

    [Fact]
    public void Schedule_optimises_measures_and_reports_on_a_tiny_model()
    {
        string ckpt = Checkpoint(), data = SyntheticDigits.Write(dir.File("data"), train: 16, test: 24);
        Assert.Equal(0, Run(out var o, "schedule", "--model", ckpt, "--dataset", data, "--target-accuracy", "0.05", "--examples", "12",
            "--grid", "1,3", "--draws", "2", "--pilot-samples", "8", "--json", "--threads", "1"));
        var doc = JsonNode.Parse(o)!;
        Assert.Equal(2, doc["samples"]!.AsArray().Count);
        Assert.True(doc["predicted_accuracy"]!.GetValue<double>() >= 0.05);

        Assert.Equal(0, Run(out o, "schedule", "curve", "--model", ckpt, "--dataset", data, "--uniform", "1,3", "--examples", "8", "--replicates", "2",
            "--draws", "2", "--pilot-samples", "8", "--out", dir.File("curve"), "--threads", "1"));
        Assert.True(File.Exists(Path.Combine(dir.File("curve"), "report.json")));
        Assert.Contains("predicted", o);

        Assert.Equal(0, Run(out o, "schedule", "ledger", "--model", ckpt, "--samples", "5,9", "--json"));
        Assert.Equal(2, JsonNode.Parse(o)!["spin_updates"]!.AsArray().Count);
    }

    [Fact]
    public void A_compiled_network_gives_the_same_measurements_as_its_checkpoint()
    {
        string ckpt = Checkpoint(), data = SyntheticDigits.Write(dir.File("data"), train: 16, test: 24);
        var (spec, model, _) = TrainingRun.Load(ckpt);
        var net = (Thermo.Blocks.IsingBlockNet)model;
        string compiled = dir.File("compiled");
        Thermo.Blocks.CompiledBlockNetFile.Save(compiled, Thermo.Blocks.CompiledBlockNet.From(net, spec.Name, null, [1, 28, 28], Thermo.Data.Normalization.UnitRange, null));
        string[] compare = ["schedule", "compare", "--dataset", data, "--examples", "10", "--uniform", "1,3,9", "--grid", "1,3", "--epsilons", "0.3",
            "--draws", "2", "--pilot-samples", "8", "--json", "--threads", "1", "--model"];
        Assert.Equal(0, Run(out var fromCheckpoint, [.. compare, ckpt]));
        Assert.Equal(0, Run(out var fromCompiled, [.. compare, compiled]));
        var a = JsonNode.Parse(fromCheckpoint)!; var b = JsonNode.Parse(fromCompiled)!;
        Assert.Equal(a["points"]!.ToJsonString(), b["points"]!.ToJsonString());
        Assert.True(a["points"]!.AsArray().Count >= 3);
        Assert.Equal(0, Run(out var ledgerA, "schedule", "ledger", "--model", ckpt, "--samples", "5,9", "--json"));
        Assert.Equal(0, Run(out var ledgerB, "schedule", "ledger", "--model", compiled, "--samples", "5,9", "--json"));
        Assert.Equal(JsonNode.Parse(ledgerA)!["digital_network_macs"]!.GetValue<double>(), JsonNode.Parse(ledgerB)!["digital_network_macs"]!.GetValue<double>());
        // A compiled network without a dataset name needs --dataset.
        Assert.Equal(2, Run(out _, "schedule", "curve", "--model", compiled, "--examples", "4"));
    }

    [Fact]
    public void A_predict_only_curve_prints_predictions_without_empty_measurement_columns()
    {
        string ckpt = Checkpoint(), data = SyntheticDigits.Write(dir.File("data"), train: 16, test: 24);
        Assert.Equal(0, Run(out var o, "schedule", "curve", "--model", ckpt, "--dataset", data, "--uniform", "1,3", "--examples", "8",
            "--draws", "2", "--pilot-samples", "8", "--predict-only", "--threads", "1"));
        Assert.DoesNotContain("NaN", o);
        Assert.DoesNotContain("measured", o);
        Assert.Equal(2, o.Split('\n').Count(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s+[13]\s+\d+\.\d\d ± \d+\.\d\d\s*$")));
    }

    [Fact]
    public void Missing_goal_and_digital_models_are_bad_input()
    {
        string ckpt = Checkpoint();
        Assert.Equal(2, Run(out _, "schedule", "--model", ckpt, "--dataset", dir.File("nowhere")));
        Assert.Equal(2, Run(out _, "schedule", "ledger", "--model", dir.File("missing.safetensors")));
    }
}
