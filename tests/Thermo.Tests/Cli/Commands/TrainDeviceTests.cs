using System.Text.Json.Nodes;
using Thermo.IO;
using Thermo.Tests.Training;
using Thermo.Training;

namespace Thermo.Tests.Cli.Commands;

/// <summary>`thermo train --device`: ising-blocks models train on ILGPU's CPU accelerator; other families are refused by name.</summary>
public sealed class TrainDeviceTests : IDisposable
{
    readonly TempDirectory dir = new();
    readonly string data;

    public TrainDeviceTests() => data = SyntheticDigits.Write(dir.File("data"), train: 32, test: 8);

    public void Dispose() => dir.Dispose();

    (int Exit, string Out, string Err) Thermo(params string[] args) =>
        CliRunner.Run(new Dictionary<string, string> { ["THERMO_DATA_DIR"] = dir.File("cache") }, TimeSpan.FromSeconds(300), args);

    [Fact]
    public void A_digital_model_on_a_device_is_refused_by_name()
    {
        string run = dir.File("digital");
        var r = Thermo("train", "--preset", "mnist-digital", "--dataset", data, "--out", run, "--quiet", "--max-steps", "1", "--device", "ilgpu-cpu");
        TrainRefusalTests.AssertOneErrorLine(r, 2, "--device ilgpu-cpu", "ising-blocks models only", "--device cpu");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void An_ising_block_model_trains_on_the_cpu_accelerator_and_resumes_on_the_cpu_engine()
    {
        string model = dir.File("tiny.json"), run = dir.File("tiny");
        File.WriteAllText(model, """
            {"name": "tiny", "family": "ising-blocks", "input": [1, 28, 28], "classes": 10, "binarize": [0.5], "delta": 0.5, "population": 1,
             "blocks": [{"hidden": {"type": "conv2d", "out": 2, "kernel": 3, "padding": 1}, "output": {"type": "conv2d", "out": 2, "kernel": 2, "stride": 2}},
                        {"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}]}
            """);
        string[] common = ["train", "--model", model, "--dataset", data, "--out", run, "--batch-size", "4", "--train-limit", "8", "--test-limit", "4", "--epochs", "1", "--json"];
        var first = Thermo([.. common, "--max-steps", "1", "--device", "ilgpu-cpu"]);
        Assert.True(first.Exit == 0, first.Err);
        Assert.Equal(1, JsonNode.Parse(first.Out)!["step"]!.GetValue<int>());
        var second = Thermo([.. common, "--resume", "--device", "cpu"]);
        Assert.True(second.Exit == 0, second.Err);
        var summary = JsonNode.Parse(second.Out)!;
        Assert.Equal(2, summary["step"]!.GetValue<int>());
        Assert.True(summary["finished"]!.GetValue<bool>());
        Assert.Equal(2, Checkpoint.ReadMetadata(Path.Combine(run, TrainingRun.CheckpointName)).Training.Step);
    }
}
