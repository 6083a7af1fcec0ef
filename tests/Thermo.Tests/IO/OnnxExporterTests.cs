using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Thermo.Autograd;
using Thermo.IO;
using Thermo.Nn;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Tests.IO;

public class OnnxExporterTests : IDisposable
{
    readonly TempDirectory dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>Gives every batch norm non-trivial γ, β and running statistics (Initialize leaves them at 1, 0, 0, 1).</summary>
    static void RandomizeBatchNorms(Module m, ulong seed)
    {
        ulong stream = 1000;
        foreach (var bn in Descendants(m).OfType<BatchNorm>())
        {
            Philox.FillUniform(seed, stream++, 0, bn.Gamma.Data);
            Philox.FillUniform(seed, stream++, 0, bn.Beta.Data);
            Philox.FillUniform(seed, stream++, 0, bn.RunningMean.Data);
            Philox.FillUniform(seed, stream++, 0, bn.RunningVar.Data);
            for (int c = 0; c < bn.Channels; c++)
            {
                bn.Gamma.Data[c] = 0.5f + bn.Gamma.Data[c];
                bn.Beta.Data[c] -= 0.5f;
                bn.RunningMean.Data[c] = 0.2f * (bn.RunningMean.Data[c] - 0.5f);
                bn.RunningVar.Data[c] = 0.05f + 0.2f * bn.RunningVar.Data[c];
            }
        }
    }

    static IEnumerable<Module> Descendants(Module m) => m.Children.SelectMany(c => Descendants(c.Module)).Prepend(m);

    static float[] RunOnnx(byte[] model, Tensor x)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var input = new DenseTensor(x.Data.ToArray(), x.Shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        var output = results.Single(r => r.Name == OnnxExporter.OutputName);
        return output.AsEnumerable<float>().ToArray();
    }

    static Tensor RunThermo(Module model, Tensor x)
    {
        using (GradMode.NoGrad()) return model.Forward(x);
    }

    /// <summary>Exports, runs in ONNX Runtime and compares with Thermo: max |onnx − thermo| ≤ 1e-4 · max |thermo|.</summary>
    static void AssertSameAsThermo(Module model, int[] exportShape, params int[][] runShapes)
    {
        model.Eval();
        var bytes = OnnxExporter.Export(model, exportShape);
        foreach (var shape in runShapes.Length == 0 ? [exportShape] : runShapes)
        {
            var x = TinyNets.RandomInput(7, shape);
            var expected = RunThermo(model, x);
            var actual = RunOnnx(bytes, x);
            Assert.Equal(expected.Length, actual.Length);
            float scale = Math.Max(expected.MaxAbs(), 1e-6f), worst = 0;
            for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected.Data[i]));
            Assert.True(worst <= 1e-4f * scale, $"max |onnx − thermo| = {worst}, max |thermo| = {scale}");
        }
    }

    [Fact]
    public void Conv_net_with_batchnorm_pooling_residual_and_dropout_matches_thermo()
    {
        var model = new Sequential(
            new Conv2d(3, 8, 3, padding: 1), new BatchNorm(8), new Relu(),
            new Conv2d(8, 8, 3, stride: 2, padding: 1, groups: 2), new BatchNorm(8), new Tanh(),
            new AvgPool2d(2),
            new Residual(new Sequential(new Conv2d(8, 8, 3, padding: 1), new BatchNorm(8), new HardTanh())),
            new GlobalAvgPool(), new Dropout(0.3f), new Linear(8, 10));
        model.Initialize(11);
        RandomizeBatchNorms(model, 11);
        AssertSameAsThermo(model, [2, 3, 16, 16]);
    }

    [Fact]
    public void Max_pooling_matches_thermo()
    {
        var model = new Sequential(new Conv2d(2, 4, 3, padding: 1), new MaxPool2d(2), new Relu(), new MaxPool2d(3, 1), new Flatten(), new Linear(4 * 2 * 2, 3));
        model.Initialize(8);
        AssertSameAsThermo(model, [2, 2, 8, 8]);
    }

    [Fact]
    public void Dynamic_batch_runs_any_batch_size()
    {
        var model = new Sequential(new Conv2d(1, 4, 4, stride: 2, padding: 1), new BatchNorm(4), new Relu(), new Flatten(), new Linear(4 * 7 * 7, 10));
        model.Initialize(3);
        RandomizeBatchNorms(model, 3);
        AssertSameAsThermo(model, [1, 1, 14, 14], [1, 1, 14, 14], [5, 1, 14, 14]);
    }

    [Fact]
    public void Residual_with_projection_shortcut_and_strided_conv_matches_thermo()
    {
        var model = new Sequential(
            new Residual(
                new Sequential(new Conv2d(4, 8, 3, stride: 2, padding: 1, bias: false), new BatchNorm(8), new Relu(), new Conv2d(8, 8, 3, padding: 1)),
                new Sequential(new Conv2d(4, 8, 1, stride: 2, bias: false), new BatchNorm(8))),
            new Relu(), new AvgPool2d(2, 1), new Linear(8 * 3 * 3, 5, bias: false));
        model.Initialize(5);
        RandomizeBatchNorms(model, 5);
        AssertSameAsThermo(model, [3, 4, 8, 8]);
    }

    [Fact]
    public void Mlp_on_images_flattens_before_linear_like_thermo()
    {
        // Linear on a 4-D input flattens implicitly in Thermo; the export inserts Flatten.
        var model = new Sequential(new Linear(3 * 4 * 4, 16), new Tanh(), new Linear(16, 16), new BatchNorm(16), new HardTanh(), new Linear(16, 4));
        model.Initialize(9);
        RandomizeBatchNorms(model, 9);
        AssertSameAsThermo(model, [3, 3, 4, 4]);
    }

    [Fact]
    public void Sign_maps_zero_to_plus_one_as_thermo_does()
    {
        // Relu produces exact zeros; ONNX Sign would give 0 there, Thermo's sign gives +1.
        var model = new Sequential(new Relu(), new SignSte(), new Flatten(), new Linear(2 * 3 * 3, 6), new Tanh());
        model.Initialize(2);
        model.Eval();
        var x = TinyNets.RandomInput(4, 4, 2, 3, 3);
        var bytes = OnnxExporter.Export(model, [4, 2, 3, 3]);
        var expected = RunThermo(model, x);
        var actual = RunOnnx(bytes, x);
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected.Data[i]) <= 1e-5f, $"element {i}: {actual[i]} vs {expected.Data[i]}");

        var signOnly = new Sequential(new SignSte());
        var z = new Tensor([0f, -0f, 1e-30f, -1e-30f, 3f, -2f], 2, 3);
        Assert.Equal([1f, 1f, 1f, -1f, 1f, -1f], RunOnnx(OnnxExporter.Export(signOnly, [2, 3]), z));
    }

    [Fact]
    public void Initializers_keep_state_dict_names_and_file_is_written_atomically()
    {
        var model = TinyNets.ConvNet(1);
        model.Eval();
        string path = dir.File("model.onnx");
        OnnxExporter.Save(path, model, [1, 1, 8, 8], metadata: new Dictionary<string, string> { ["checkpoint"] = "ckpt.safetensors" });
        Assert.Equal(["model.onnx"], dir.Listing());
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        Assert.Equal([OnnxExporter.InputName], session.InputMetadata.Keys);
        Assert.Equal([OnnxExporter.OutputName], session.OutputMetadata.Keys);
        Assert.Equal([-1, 1, 8, 8], session.InputMetadata[OnnxExporter.InputName].Dimensions);
        Assert.Equal([-1, 10], session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
        Assert.Equal("thermo", session.ModelMetadata.ProducerName);
        Assert.Equal("ckpt.safetensors", session.ModelMetadata.CustomMetadataMap["checkpoint"]);
        var bytes = File.ReadAllBytes(path);
        foreach (var (name, _) in model.StateDict())
            Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(name)) >= 0, $"initializer '{name}' not found");
    }

    sealed class Mystery : Module
    {
        public override Tensor Forward(Tensor x) => x;
    }

    [Fact]
    public void Unknown_layers_are_refused_naming_the_layer()
    {
        var model = new Sequential(new Conv2d(1, 2, 3), new Residual(new Sequential(new Relu(), new Mystery())));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, [1, 1, 5, 5]));
        Assert.Contains("layer '1.body.1' is a Mystery", e.Message);
        Assert.Contains("supported:", e.Message);
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_refused_naming_the_layer()
    {
        var model = new Sequential(new Conv2d(3, 4, 3), new Flatten(), new Linear(99, 2));
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, [1, 3, 6, 6]));
        Assert.Contains("layer '2' Linear(99→2) gets 64 features", e.Message);
        e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, [1, 2, 6, 6]));
        Assert.Contains("layer '0' Conv2d(3→4", e.Message);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, [3]));
    }
}
