using System.Text.Json.Nodes;
using Thermo.Blocks;
using Thermo.Data;
using Thermo.IO;
using Thermo.Sampling;
using Thermo.Training;
using Thermo.Evaluation;

namespace Thermo.Tests.Training;

public sealed class PipelineTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "thermo-pipeline-" + Guid.NewGuid().ToString("N"));
    readonly string data;

    public PipelineTests() => data = SyntheticDigits.Write(Path.Combine(root, "data"));

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    TrainingRunOptions Options(string name, string preset = "quickstart") => new()
    {
        Preset = preset, Dataset = data, OutputDirectory = Path.Combine(root, name), Epochs = 2, BatchSize = 64, Seed = 5,
        ValidateEachEpoch = false,
    };

    [Fact]
    public void Quickstart_trains_compiles_and_classifies_by_Gibbs_sampling_on_tiny_data()
    {
        int code = Cli.CliRunner.Run(out string stdout, out string stderr,
            "quickstart", "--dataset", data, "--out", Path.Combine(root, "qs"), "--eval-examples", "128", "--json");
        Assert.True(code == 0, stderr);
        var report = JsonNode.Parse(stdout)!;
        double surrogate = report["surrogate_accuracy"]!.GetValue<double>();
        var gibbs = report["gibbs"]!.AsArray();
        double g64 = gibbs.Single(r => r!["samples"]!.GetValue<int>() == 64)!["accuracy"]!.GetValue<double>();
        Assert.True(surrogate > 0.6, $"surrogate accuracy {surrogate}");
        Assert.True(g64 > surrogate - 0.1, $"Gibbs G=64 accuracy {g64} versus surrogate {surrogate}");
        Assert.True(File.Exists(Path.Combine(root, "qs", "report.md")));
    }

    [Fact]
    public void Sharded_Gibbs_evaluation_merges_to_the_unsharded_result()
    {
        var run = TrainingRun.Execute(Options("shards") with { Epochs = 1 });
        var test = DatasetCatalog.Load(data, "test");
        var settings = new GibbsSettings(BlockSchedule.Uniform(2, 8, burnIn: 2), Chains: 1, Seed: 9);
        var whole = Evaluator.Run(run.Model, test, run.Normalization, EvalMode.Gibbs, settings, batchSize: 50);
        var docs = new List<(string, JsonObject)>();
        for (int s = 0; s < 3; s++)
        {
            var shard = new Shard(s, 3);
            var (a, b) = shard.Range(test.Count);
            var part = Evaluator.Run(run.Model, test, run.Normalization, EvalMode.Gibbs, settings, a, b - a, batchSize: 17);
            docs.Add(($"s{s}", EvalShards.ToJson(part, "m", "d", "test", EvalMode.Gibbs, settings, shard, a, test.Labels.AsSpan(a, b - a))));
        }
        var merged = EvalShards.Merge(docs);
        Assert.Equal(whole.Predictions, merged["predictions"]!.AsArray().Select(p => p!.GetValue<int>()).ToArray());
        Assert.Equal(whole.Correct.ToString(), merged["correct"]!.ToJsonString());
        Assert.Equal(whole.SpinUpdates, merged["spin_updates"]!.AsArray().Select(p => long.Parse(p!.ToJsonString())).ToArray());
    }

    [Theory]
    [InlineData("quickstart")]
    [InlineData("mnist-digital")]
    public void Stopping_and_resuming_gives_bit_identical_weights(string preset)
    {
        var whole = TrainingRun.Execute(Options("whole-" + preset, preset));
        var first = TrainingRun.Execute(Options("split-" + preset, preset) with { MaxStepsThisRun = 11 });
        Assert.False(first.Finished);
        var second = TrainingRun.Execute(Options("split-" + preset, preset) with { Resume = true });
        Assert.True(second.Finished);
        var a = whole.Model.StateDict().ToDictionary(p => p.Name, p => p.Tensor.Data);
        foreach (var (name, t) in second.Model.StateDict()) Assert.True(a[name].AsSpan().SequenceEqual(t.Data), $"tensor {name} differs after resume");
    }

    [Fact]
    public void Divergence_stops_with_a_clear_message_and_keeps_the_last_checkpoint()
    {
        var o = Options("diverge", "mnist-digital") with { CheckpointEverySteps = 4, LearningRate = 1e30f };
        var e = Assert.Throws<TrainingDivergedException>(() => TrainingRun.Execute(o));
        Assert.Matches("step [0-9]+", e.Message);
        string ckpt = Path.Combine(o.OutputDirectory, TrainingRun.CheckpointName);
        if (File.Exists(ckpt))
        {
            Assert.Contains(ckpt, e.Message);
            var (_, model, _) = TrainingRun.Load(ckpt);
            Assert.All(model.Parameters(), p => Assert.True(p.AllFinite()));
        }
        else Assert.Contains("no checkpoint", e.Message);
    }

    [Fact]
    public void Existing_run_directory_is_not_overwritten_without_resume()
    {
        var o = Options("twice", "mnist-digital") with { Epochs = 1 };
        TrainingRun.Execute(o);
        var e = Assert.Throws<IOException>(() => TrainingRun.Execute(o));
        Assert.Contains("--resume", e.Message);
    }

    [Fact]
    public void Compiled_network_directory_reproduces_the_checkpoint_under_Gibbs_sampling()
    {
        var run = TrainingRun.Execute(Options("compiled") with { Epochs = 1 });
        string f32 = Path.Combine(root, "net-f32"), i8 = Path.Combine(root, "net-i8");
        string[] eval = ["eval", "--dataset", data, "--mode", "gibbs", "--samples", "16", "--json", "--model"];
        Assert.Equal(0, Cli.CliRunner.Run(out _, out string err, "ising", "compile", "--model", run.CheckpointPath, "--out", f32));
        Assert.True(err.Length == 0, err);
        Assert.Equal(0, Cli.CliRunner.Run(out _, out err, "ising", "compile", "--model", run.CheckpointPath, "--out", i8, "--couplings", "i8"));
        Assert.Equal(0, Cli.CliRunner.Run(out string fromCheckpoint, out err, [.. eval, run.CheckpointPath]));
        Assert.Equal(0, Cli.CliRunner.Run(out string fromF32, out err, [.. eval, f32]));
        Assert.Equal(0, Cli.CliRunner.Run(out string fromI8, out err, [.. eval, i8]));
        double Accuracy(string json) => JsonNode.Parse(json)!["accuracy"]!.GetValue<double>();
        // Float couplings: the same programs and the same per-example randomness, so the same predictions.
        Assert.Equal(Accuracy(fromCheckpoint), Accuracy(fromF32));
        // 8-bit couplings: the in-memory 8-bit programs give exactly what the I8 files give.
        var loaded = CompiledBlockNetFile.Load(i8);
        var quantised = CompiledBlockNetFile.Load(f32) is var n
            ? n with { Programs = n.Programs.Select(p => Thermo.Ising.CouplingQuantizer.Quantize(p, 8).Program).ToList() }
            : null;
        var test = DatasetCatalog.Load(data, "test");
        var settings = new GibbsSettings(BlockSchedule.Uniform(2, 16, burnIn: 4), Chains: 1, Seed: 1);
        var a = Evaluator.RunGibbs(new BlockPipeline(loaded), test, loaded.Normalization, settings);
        var b = Evaluator.RunGibbs(new BlockPipeline(quantised!), test, loaded.Normalization, settings);
        Assert.Equal(b.Predictions, a.Predictions);
        Assert.Equal(a.Accuracy, Accuracy(fromI8));
        Assert.True(Math.Abs(Accuracy(fromI8) - Accuracy(fromF32)) < 0.1, $"8-bit {Accuracy(fromI8)} versus float {Accuracy(fromF32)}");

        // A compiled network holds programs only: the surrogate modes are refused with a reason.
        Assert.Equal(2, Cli.CliRunner.Run(out _, out err, "eval", "--dataset", data, "--mode", "meanfield", "--model", f32));
        Assert.Contains("compiled network", err);
        // A manifest whose readout does not fit the last block is refused naming it.
        string manifest = Path.Combine(f32, CompiledBlockNetFile.ManifestName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"population\": 10", "\"population\": 9"));
        var e = Assert.Throws<InvalidDataException>(() => CompiledBlockNetFile.Load(f32));
        Assert.Contains("classes × population", e.Message);
    }
}
