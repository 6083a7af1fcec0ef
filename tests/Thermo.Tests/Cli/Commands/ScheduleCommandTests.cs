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

    /// <summary>Three blocks: the pilot runs the middle one by Gibbs, in chains keyed by their pilot batch.</summary>
    const string ThreeBlocks = """
        {"name": "schedule-test-3", "family": "ising-blocks", "input": [1, 28, 28], "classes": 10, "binarize": 0.5, "delta": 0.5, "population": 2,
         "blocks": [{"hidden": {"type": "linear", "out": 12}, "output": {"type": "linear", "out": 8}},
                    {"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear", "out": 8}},
                    {"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}]}
        """;

    static int Run(out string stdout, params string[] args)
    {
        var root = new RootCommand();
        root.Options.Add(CommonOptions.Threads);
        root.Subcommands.Add(ScheduleCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        var writer = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(writer);
        try { return root.Parse(args).Invoke(); }
        finally { Console.SetOut(previous); stdout = writer.ToString(); }
    }

    string Checkpoint(string definition = Definition)
    {
        var spec = ModelSpec.Parse(definition);
        var net = spec.Build();
        net.Initialize(5);
        string path = dir.File(spec.Name + ".safetensors");
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
        // As one Slurm task: the 0/1 document holds the same result, its merge is itself, and a real split is refused.
        Assert.Equal(0, Run(out _, [.. compare, ckpt, "--shard", "0/1", "--out", dir.File("c.json")]));
        Assert.Equal(0, Run(out _, "merge", dir.File("c.json"), "--out", dir.File("cm.json")));
        var whole = JsonNode.Parse(File.ReadAllText(dir.File("cm.json")))!;
        Assert.Equal("schedule-compare", whole["kind"]!.GetValue<string>());
        Assert.Equal("merged", whole["shard"]!.GetValue<string>());
        Assert.Equal(a["points"]!.ToJsonString(), whole["points"]!.ToJsonString());
        Assert.Equal(2, Run(out _, [.. compare, ckpt, "--shard", "0/2", "--out", dir.File("c2.json")]));
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
    public void A_curve_run_as_shards_merges_to_the_unsharded_run_bit_for_bit()
    {
        // 37 examples from index 2 make three pilot batches (16, 16, 5): shards 1 and 2 start past the first batch, so they
        // must take τ_B from the whole set's first batch, and G = 64 > the pilot's 32 last-block samples reads it.
        string ckpt = Checkpoint(ThreeBlocks), data = SyntheticDigits.Write(dir.File("data"), train: 16, test: 48);
        string[] Curve(int start, int examples) => ["schedule", "curve", "--model", ckpt, "--dataset", data, "--uniform", "1,2,64",
            "--examples", $"{examples}", "--start", $"{start}", "--replicates", "2", "--draws", "4", "--pilot-samples", "8", "--threads", "1"];
        var common = Curve(2, 37);
        string all = dir.File("all.json");
        Assert.Equal(0, Run(out _, [.. common, "--shard", "0/1", "--out", all]));
        var shards = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            shards.Add(dir.File($"s{i}.json"));
            Assert.Equal(0, Run(out _, [.. common, "--shard", $"{i}/3", "--out", shards[i]]));
        }
        string merged = dir.File("merged.json");
        Assert.Equal(0, Run(out _, "merge", shards[2], shards[0], shards[1], "--out", merged));
        var whole = JsonNode.Parse(File.ReadAllText(all))!.AsObject();
        var parts = JsonNode.Parse(File.ReadAllText(merged))!.AsObject();
        Assert.Equal("0/1", whole["shard"]!.GetValue<string>());
        whole["shard"] = "merged";
        Assert.Equal(whole.ToFiniteJson(), parts.ToFiniteJson());
        Assert.Equal(37, parts["per_example"]!["predicted"]![0]!.AsArray().Count);
        Assert.NotNull(parts["points"]![0]!["measured"]);

        // The shards' own τ_B would differ: shard 2 alone estimates it from its 5 examples.
        Assert.Equal(0, Run(out var alone, [.. Curve(34, 5), "--json"]));
        Assert.NotEqual(whole["tau_last_block"]!.GetValue<double>(), JsonNode.Parse(alone)!["tau_last_block"]!.GetValue<double>());

        // Nothing is merged from a partial set, and a shard without a file or beyond the batches is bad input.
        Assert.Equal(2, Run(out _, "merge", shards[0], shards[2], "--out", dir.File("partial.json")));
        Assert.Equal(2, Run(out _, [.. common, "--shard", "0/2"]));
        Assert.Equal(2, Run(out _, [.. common, "--shard", "0/4", "--out", dir.File("four.json")]));
    }

    [Fact]
    public void Missing_goal_and_digital_models_are_bad_input()
    {
        string ckpt = Checkpoint();
        Assert.Equal(2, Run(out _, "schedule", "--model", ckpt, "--dataset", dir.File("nowhere")));
        Assert.Equal(2, Run(out _, "schedule", "ledger", "--model", dir.File("missing.safetensors")));
    }
}
