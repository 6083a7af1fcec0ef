using Thermo.Blocks;
using Thermo.Nn;
using Thermo.Tensors;
using Thermo.Training;

namespace Thermo.Tests.Training;

public class ModelSpecTests
{
    [Fact]
    public void Every_preset_builds_and_maps_its_input_to_class_scores()
    {
        foreach (var preset in Presets.All)
        {
            var spec = preset.Spec;
            var model = spec.Build();
            model.Initialize(1);
            model.Eval();
            var x = Tensor.Zeros([2, .. spec.Input]);
            using var _ = Thermo.Autograd.GradMode.NoGrad();
            var y = model.Forward(x);
            Assert.Equal([2, spec.Classes], y.Shape);
        }
    }

    [Fact]
    public void Every_shipped_model_file_builds_and_maps_its_input_to_class_scores()
    {
        // experiments/**/*.json that declare a model (recipes users run with `thermo train --model`): a top-level "family".
        // Measured results (experiments/curve/results, which also name "blocks") are not model files.
        string root = RepositoryRoot.Path;
        var files = Directory.GetFiles(Path.Combine(root, "experiments"), "*.json", SearchOption.AllDirectories)
            .Where(f => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f)) is System.Text.Json.Nodes.JsonObject o && o.ContainsKey("family")).ToArray();
        Assert.Contains(files, f => f.EndsWith("cifar100-large.json", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var spec = ModelSpec.Load(file);
            var model = spec.Build();
            model.Initialize(1);
            model.Eval();
            using var _ = Thermo.Autograd.GradMode.NoGrad();
            var y = model.Forward(Tensor.Zeros([1, .. spec.Input]));
            Assert.Equal([1, spec.Classes], y.Shape);
        }
    }

    [Fact]
    public void Digital_definition_round_trips_through_json()
    {
        var spec = Presets.Get("mnist-digital").Spec;
        var again = ModelSpec.Parse(spec.ToJson());
        Assert.Equal(spec.Build().ParameterCount(), again.Build().ParameterCount());
    }

    [Fact]
    public void Block_definition_builds_the_declared_blocks()
    {
        var net = Assert.IsType<IsingBlockNet>(Presets.Get("mnist").Spec.Build());
        Assert.Equal(3, net.Blocks.Count);
        Assert.Equal([64, 14, 14], net.Blocks[0].OutputShape);
        Assert.Equal([100], net.Blocks[2].OutputShape);
        Assert.Equal(64, net.Objective.Samples);
    }

    [Theory]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "conv2d", "out": 4, "kernel": 40}]}""", "layers[0] (conv2d)")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 7}]}""", "expected [10]")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "warp"}]}""", "unknown layer type 'warp'")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "conv2d", "out": 4, "kernel": 3}]}""", "needs an image input")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10}""", "missing \"layers\"")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "family": "ising-blocks", "blocks": [{"hidden": {"type": "conv2d", "out": 4, "kernel": 3}, "output": {"type": "linear", "out": 7}}]}""", "classes × population")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "family": "ising-blocks", "blocks": [{"hidden": {"type": "conv2d", "out": 4, "kernel": 3}}]}""", "blocks[0]: missing \"output\"")]
    [InlineData("not json", "not valid JSON")]
    // Issue 12, item 5: numbers that reached allocations and loops (a 24 GB process, overflows, a division by zero).
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 2000000000}]}""", "layers[1] (linear): \"out\" must be from 1 to 16777216, got 2000000000")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "flatten"}, {"type": "linear", "out": 2000000}]}""", "layers[1] (linear): needs 1568000000 weights (5.84 GiB), more than the 268435456 (1 GiB)")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "conv2d", "out": 4, "kernel": 3, "stride": 0}]}""", "layers[0] (conv2d): \"stride\" must be from 1 to 4096, got 0")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "avgpool", "kernel": 2, "stride": 0}]}""", "\"stride\" must be from 1 to 4096, got 0")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "layers": [{"type": "conv2d", "out": -3, "kernel": 3}]}""", "\"out\" must be from 1 to")]
    [InlineData("""{"input": [1, 100000, 100000], "classes": 10, "layers": []}""", "has more than 16777216 values per example")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "family": "ising-blocks", "blocks": [{"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}], "objective": {"iterations": 1000000000}}""", "\"iterations\" must be from 1 to 100, got 1000000000")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "family": "ising-blocks", "blocks": [{"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}], "objective": {"label_smoothing": 1}}""", "\"label_smoothing\" must be in [0, 1), got 1")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "family": "ising-blocks", "blocks": [{"hidden": {"type": "conv2d", "out": 4, "kernel": 3, "stride": 0}, "output": {"type": "linear"}}]}""", "\"stride\" must be from 1 to 4096, got 0")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "family": "ising-blocks", "blocks": [{"hidden": {"type": "linear", "out": 2000000}, "output": {"type": "linear"}}]}""", "blocks[0]: needs 1568000000 weights")]
    [InlineData("""{"input": [1, 28, 28], "classes": 10, "population": 1000000000, "family": "ising-blocks", "blocks": [{"hidden": {"type": "linear", "out": 8}, "output": {"type": "linear"}}]}""", "\"population\" must be from 1 to 1024")]
    public void Bad_definitions_give_one_clear_error(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelSpec.Parse(json, "m.json"));
        Assert.Contains(expected, e.Message);
    }
}
