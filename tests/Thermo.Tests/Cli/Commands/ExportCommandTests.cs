using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using Thermo.Autograd;
using Thermo.Cli;
using Thermo.Cli.Commands;
using Thermo.IO;
using Thermo.Nn;
using Thermo.Tensors;
using Thermo.Training;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Thermo.Tests.IO;

namespace Thermo.Tests.Cli.Commands;

public class ExportCommandTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    const string Definition = """
        {"name": "export-test", "input": [1, 8, 8], "classes": 4, "layers": [
          {"type": "conv2d", "out": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
          {"type": "maxpool", "kernel": 2},
          {"type": "residual", "body": [{"type": "conv2d", "out": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "tanh"}]},
          {"type": "flatten"}, {"type": "dropout", "p": 0.2}, {"type": "linear", "out": 4}]}
        """;

    static int Run(params string[] args)
    {
        var root = new RootCommand();
        root.Options.Add(CommonOptions.Threads);
        root.Subcommands.Add(ExportCommand.Create());
        return root.Parse(args).Invoke();
    }

    [Fact]
    public void Export_onnx_rebuilds_the_checkpointed_network_and_matches_its_forward_pass()
    {
        var spec = ModelSpec.Parse(Definition);
        var net = spec.Build();
        net.Initialize(21);
        // A few training-mode passes give the batch norms non-trivial running statistics.
        using (GradMode.NoGrad())
            for (int i = 0; i < 3; i++) net.Forward(TinyNets.RandomInput((ulong)i, 8, 1, 8, 8));
        string ckpt = dir.File("run.safetensors"), onnx = dir.File("run.onnx");
        Checkpoint.Save(ckpt, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState { Step = 77 } });

        Assert.Equal(0, Run("export", "onnx", "--model", ckpt, "--out", onnx, "--threads", "1"));

        net.Eval();
        var x = TinyNets.RandomInput(9, 3, 1, 8, 8);
        Tensor expected;
        using (GradMode.NoGrad()) expected = net.Forward(x);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        Assert.Equal("77", session.ModelMetadata.CustomMetadataMap["thermo.step"]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor(x.Data.ToArray(), x.Shape))]);
        var actual = results.Single().AsEnumerable<float>().ToArray();
        float scale = expected.MaxAbs();
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected.Data[i]) <= 1e-4f * scale, $"element {i}: {actual[i]} vs {expected.Data[i]}");
    }

    [Fact]
    public void Export_onnx_fails_with_exit_code_2_and_writes_nothing_for_files_that_are_not_checkpoints()
    {
        string plain = dir.File("plain.safetensors"), onnx = dir.File("x.onnx");
        Safetensors.Save(plain, [("w", new Tensor([1f], 1))]);
        Assert.Equal(CliAction.BadInput, Run("export", "onnx", "--model", plain, "--out", onnx, "--threads", "1"));
        Assert.Equal(CliAction.BadInput, Run("export", "onnx", "--model", dir.File("absent.safetensors"), "--out", onnx, "--threads", "1"));

        var net = ModelSpec.Parse(Definition).Build();
        string noDefinition = dir.File("nodef.safetensors");
        Checkpoint.Save(noDefinition, net, null, new CheckpointMetadata());
        Assert.Equal(CliAction.BadInput, Run("export", "onnx", "--model", noDefinition, "--out", onnx, "--threads", "1"));
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void Export_onnx_of_an_ising_blocks_model_is_bad_input_exit_2_like_every_other_model_it_cannot_take()
    {
        // issue 12, item 15: this exited 1, the code of a failure at run time, for a model of a kind the command does not handle.
        const string blocks = """
            {"name": "blocks", "family": "ising-blocks", "input": [1, 6, 6], "classes": 3, "binarize": 0.5, "delta": 0.5, "population": 1,
             "blocks": [{"hidden": {"type": "linear", "out": 6}, "output": {"type": "linear"}}]}
            """;
        var spec = ModelSpec.Parse(blocks);
        var net = spec.Build();
        net.Initialize(1);
        string ckpt = dir.File("blocks.safetensors"), onnx = dir.File("blocks.onnx");
        Checkpoint.Save(ckpt, net, null, new CheckpointMetadata { ModelDefinition = spec.ToJson(), Training = new TrainingState() });
        Assert.Equal(CliAction.BadInput, Run("export", "onnx", "--model", ckpt, "--out", onnx, "--threads", "1"));
        Assert.False(File.Exists(onnx));
    }
}
