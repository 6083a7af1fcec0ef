using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Tests.Training;
using Thermo.Training;

namespace Thermo.Tests.Cli.Commands;

/// <summary>`thermo eval` run directly: what it reports for each mode, and how --samples, --burn-in and --schedule are read.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class EvalCommandTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    const string Digital = """
        {"name": "digital", "input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 10}]}
        """;
    const string Blocks = """
        {"name": "blocks", "family": "ising-blocks", "input": [1, 28, 28], "classes": 10, "binarize": 0.5, "delta": 0.5, "population": 2,
         "blocks": [{"hidden": {"type": "linear", "out": 12}, "output": {"type": "linear", "out": 8}},
                    {"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}]}
        """;

    string Checkpoint(string definition, string name)
    {
        var spec = ModelSpec.Parse(definition);
        var net = spec.Build();
        net.Initialize(5);
        string path = dir.File(name);
        Thermo.IO.Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
        return path;
    }

    string Data() => SyntheticDigits.Write(dir.File("data"), train: 16, test: 20);

    static InProcessCli.Outcome Eval(params string[] args) => InProcessCli.Run(["eval", .. args, "--threads", "1"]);

    static JsonObject Json(params string[] args)
    {
        var r = Eval([.. args, "--json"]);
        Assert.True(r.Exit == 0, $"thermo eval {string.Join(' ', args)} → exit {r.Exit}: {r.Err}");
        return JsonNode.Parse(r.Out)!.AsObject();
    }

    [Fact]
    public void Each_mode_reports_the_examples_and_the_settings_it_ran()
    {
        string data = Data(), digital = Checkpoint(Digital, "digital.safetensors"), blocks = Checkpoint(Blocks, "blocks.safetensors");

        var forward = Json("--model", digital, "--dataset", data, "--limit", "12");
        Assert.Equal("forward", forward["mode"]!.GetValue<string>());
        Assert.Equal(12, forward["count"]!.GetValue<int>());
        Assert.Null(forward["samples"]);
        Assert.InRange(forward["correct"]!.GetValue<int>(), 0, 12);

        var gibbs = Json("--model", blocks, "--dataset", data, "--mode", "gibbs", "--samples", "3,5", "--burn-in", "2", "--chains", "2", "--seed", "9", "--limit", "12");
        Assert.Equal("gibbs", gibbs["mode"]!.GetValue<string>());
        Assert.Equal([3, 5], gibbs["samples"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(2, gibbs["burn_in"]!.GetValue<int>());
        Assert.Equal(2, gibbs["chains"]!.GetValue<int>());
        Assert.Equal(9UL, gibbs["seed"]!.GetValue<ulong>());
        Assert.Equal(2, gibbs["spin_updates"]!.AsArray().Count);
        Assert.InRange(gibbs["top2"]!.GetValue<int>(), gibbs["correct"]!.GetValue<int>(), 12);

        var r = Eval("--model", digital, "--dataset", data, "--mode", "gibbs");
        Assert.Equal(2, r.Exit);
        Assert.Contains("thermodynamic", r.Err);
    }

    [Fact]
    public void Samples_with_burn_in_and_schedule_spell_the_same_evaluation()
    {
        string data = Data(), blocks = Checkpoint(Blocks, "blocks.safetensors");
        string[] common = ["--model", blocks, "--dataset", data, "--mode", "gibbs", "--seed", "4", "--limit", "20"];
        JsonObject Run(string name, params string[] settings)
        {
            string output = dir.File(name + ".json");
            Assert.Equal(0, Eval([.. common, .. settings, "--out", output, "--json"]).Exit);
            return JsonNode.Parse(File.ReadAllText(output))!.AsObject();
        }
        var one = Run("one", "--samples", "3", "--burn-in", "2");
        foreach (var (name, settings) in new (string, string[])[]
        {
            ("per-block", ["--samples", "3,3", "--burn-in", "2"]),
            ("schedule", ["--schedule", "3/2,3/2"]),
            ("schedule-without-burn-in", ["--schedule", "3,3", "--burn-in", "2"]),
            ("schedule-one-entry", ["--schedule", "3/2"]),
        })
        {
            var same = Run(name, settings);
            foreach (var key in new[] { "samples", "burn_in", "predictions", "correct", "top2", "spin_updates" })
                Assert.True(JsonNode.DeepEquals(one[key], same[key]), $"{name}: \"{key}\" is {same[key]?.ToJsonString()}, --samples 3 --burn-in 2 gave {one[key]?.ToJsonString()}");
        }

        // A burn-in per block is written per block, and costs what it says: block 1 runs 5 sweeps instead of 3 + 2.
        var perBlock = Run("per-block-burn-in", "--schedule", "3/2,5/0");
        Assert.Equal([2, 0], perBlock["burn_in"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(one["spin_updates"]![0]!.GetValue<long>(), perBlock["spin_updates"]![0]!.GetValue<long>());
        Assert.Equal(one["spin_updates"]![1]!.GetValue<long>(), perBlock["spin_updates"]![1]!.GetValue<long>());
    }

    [Theory]
    [InlineData("--schedule", "3/2,3/2,3/2", "one value or one per block (2 blocks)")]
    [InlineData("--schedule", "3/x,3/2", "burn-in 'x'")]
    [InlineData("--schedule", "0/2,3/2", "not an integer from 1")]
    [InlineData("--schedule", "3/-1,3/2", "burn-in '-1'")]
    [InlineData("--samples", "4,4,4", "one value or one per block (2 blocks)")]
    [InlineData("--samples", "x", "not an integer from 1")]
    public void A_schedule_that_does_not_fit_the_network_is_refused_naming_the_option(string option, string value, string message)
    {
        string data = Data(), blocks = Checkpoint(Blocks, "blocks.safetensors");
        var r = Eval("--model", blocks, "--dataset", data, "--mode", "gibbs", option, value, "--limit", "2");
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("error: ", r.Err);
        Assert.Contains(option, r.Err);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void Schedule_and_samples_together_are_refused()
    {
        string data = Data(), blocks = Checkpoint(Blocks, "blocks.safetensors");
        var r = Eval("--model", blocks, "--dataset", data, "--mode", "gibbs", "--schedule", "3/2,3/2", "--samples", "3", "--limit", "2");
        Assert.Equal(2, r.Exit);
        Assert.Contains("--schedule", r.Err);
        Assert.Contains("--samples", r.Err);
    }

    [Fact]
    public void Test_time_views_are_written_and_multiply_the_cost()
    {
        string data = Data(), blocks = Checkpoint(Blocks, "blocks.safetensors");
        string[] common = ["--model", blocks, "--dataset", data, "--mode", "gibbs", "--samples", "3", "--burn-in", "1", "--limit", "10"];
        var plain = Json(common);
        var views = Json([.. common, "--tta", "id,flip,left"]);
        Assert.Null(plain["tta"]);
        Assert.Equal(["id", "flip", "left"], views["tta"]!.AsArray().Select(v => v!.GetValue<string>()));
        for (int b = 0; b < 2; b++)
            Assert.Equal(3 * plain["spin_updates"]![b]!.GetValue<long>(), views["spin_updates"]![b]!.GetValue<long>());

        var r = Eval([.. common, "--tta", "id,mirror"]);
        Assert.Equal(2, r.Exit);
        Assert.Contains("--tta: unknown view 'mirror'", r.Err);
    }
}
