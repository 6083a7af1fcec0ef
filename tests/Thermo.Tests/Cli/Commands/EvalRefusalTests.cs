using Thermo.IO;
using Thermo.Langevin;
using Thermo.Tests.Data;
using Thermo.Training;

namespace Thermo.Tests.Cli.Commands;

/// <summary>
/// Evaluations that printed nonsense with exit 0 (issue 12, items 11 and 12) now refuse with one line naming the
/// cause: non-finite weights in any mode, data whose labels or image size do not fit the model, and Langevin
/// settings that simulate nothing.
/// </summary>
public sealed class EvalRefusalTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    const string Digital = """
        {"name": "digital", "input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 10}]}
        """;
    const string Blocks = """
        {"name": "blocks", "family": "ising-blocks", "input": [1, 28, 28], "classes": 10, "binarize": 0.5, "population": 1,
         "blocks": [{"hidden": {"type": "linear", "out": 6}, "output": {"type": "linear"}}]}
        """;

    static (int Exit, string Out, string Err) Thermo(params string[] args) => CliRunner.Run(null, TimeSpan.FromSeconds(90), [.. args, "--threads", "1"]);

    string Checkpoint(string definition, string name, Action<Thermo.Nn.Module>? damage = null)
    {
        var spec = ModelSpec.Parse(definition);
        var net = spec.Build();
        net.Initialize(3);
        damage?.Invoke(net);
        string path = dir.File(name);
        global::Thermo.IO.Checkpoint.Save(path, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
        return path;
    }

    /// <summary>An MNIST-shaped IDX test split of <paramref name="count"/> images of <paramref name="side"/>², labels i mod 10 except <paramref name="label"/> at index 3.</summary>
    string Images(string name, int side, int count = 8, byte? label = null)
    {
        string folder = dir.File(name);
        Directory.CreateDirectory(folder);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        if (label is byte l) labels[3] = l;
        foreach (var prefix in new[] { "train", "t10k" })
        {
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), TestFiles.Idx(0x08, [count, side, side], new byte[count * side * side]));
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), TestFiles.Idx(0x08, [count], labels));
        }
        return folder;
    }

    [Theory]
    [InlineData("forward", float.NaN)]
    [InlineData("forward", float.PositiveInfinity)]
    [InlineData("meanfield", float.NaN)]
    [InlineData("gibbs", float.NegativeInfinity)]
    public void A_checkpoint_with_non_finite_weights_is_refused_in_every_mode(string mode, float value)
    {
        string checkpoint = Checkpoint(mode == "forward" ? Digital : Blocks, "broken.safetensors",
            net => net.StateDict().First(p => p.Name.EndsWith("weight", StringComparison.Ordinal)).Tensor.Data[5] = value);

        var r = Thermo("eval", "--model", checkpoint, "--dataset", Images("data", 28), "--mode", mode);

        TrainRefusalTests.AssertOneErrorLine(r, 2, $"checkpoint '{checkpoint}': tensor '", $"holds {value} at index 5", "non-finite weights");
    }

    [Fact]
    public void A_label_outside_the_model_classes_is_refused_naming_both()
    {
        string checkpoint = Checkpoint(Digital, "digital.safetensors");
        var r = Thermo("eval", "--model", checkpoint, "--dataset", Images("labels", 28, label: 255));
        TrainRefusalTests.AssertOneErrorLine(r, 2, "label 255 of example 3 is outside model 'digital''s 10 classes (0..9)");
    }

    [Theory]
    [InlineData("forward")]
    [InlineData("gibbs")]
    public void Images_of_another_size_are_refused_naming_both_shapes(string mode)
    {
        string checkpoint = Checkpoint(mode == "forward" ? Digital : Blocks, "model.safetensors");
        var r = Thermo("eval", "--model", checkpoint, "--dataset", Images("small", 7), "--mode", mode);
        TrainRefusalTests.AssertOneErrorLine(r, 2, "test images are 1x7x7, but model '", "' takes [1, 28, 28]");
    }

    [Theory]
    [InlineData("--dt", "1", "t_f = 0.2 is 0 steps of Δt = 1")]
    [InlineData("--trajectories", "0", "--trajectories must be an integer from 1 to 1000000, got 0")]
    [InlineData("--temperature", "-300", "--temperature must be a finite number > 0")]
    [InlineData("--energy-per-mac", "0", "--energy-per-mac must be a finite number > 0")]
    [InlineData("--times", "0.0001", "--times 0.0001: t_f = 0.0001 is 0 steps")]
    public void Langevin_settings_that_measure_nothing_are_refused(string option, string value, string message)
    {
        var computer = new LangevinComputer(784, 2, 10, latticeWidth: 28) { Normalization = InputNormalization.Mnist(5f) };
        string model = dir.File("langevin/model.json");
        LangevinModelFile.Save(model, computer, LangevinSchedule.Published);
        var r = Thermo("langevin", "eval", "--model", model, "--data", Images("digits", 28), option, value);
        Assert.Equal(2, r.Exit);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
