using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.IO;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;
using Thermo.Tests.Devices;
using Thermo.Training;

namespace Thermo.Tests.Training;

/// <summary>
/// Device training (<see cref="DeviceTrainingEngine"/> on ILGPU's CPU accelerator) against the CPU engine on tiny Ising-block
/// networks: one step's loss, metrics and gradients, the optimiser step, and checkpoints that continue on the other engine.
/// </summary>
public class DeviceTrainingEngineTests(IlgpuCpuFixture fixture) : IClassFixture<IlgpuCpuFixture>
{
    /// <summary>
    /// Tolerance of a device gradient against the CPU engine's: 2·10⁻⁴ of the tensor's largest entry. Both are float32
    /// with other summation orders and e^x/ln x/tanh a few ulp apart; the backward pass through a few mean-field passes
    /// amplifies those 10⁻⁷ relative differences by the network's condition, which stays far below this on these nets.
    /// </summary>
    const float GradientTolerance = 2e-4f;

    /// <summary>Every block shape the presets use: 3×3 padding 1 hidden couplings, 2×2 stride 2 and 4×4 stride 2 padding 1 outputs, a dense last block.</summary>
    static string Network(int iterations, bool variance, float samples, float smoothing = 0f) => """
        {"name": "tiny", "family": "ising-blocks", "input": [2, 8, 8], "classes": 3,
         "binarize": [0.35, 0.65], "delta": 0.5, "population": 2,
         "blocks": [
           {"hidden": {"type": "conv2d", "out": 5, "kernel": 3, "padding": 1},
            "output": {"type": "conv2d", "out": 6, "kernel": 2, "stride": 2}},
           {"hidden": {"type": "conv2d", "out": 7, "kernel": 3, "padding": 1},
            "output": {"type": "conv2d", "out": 4, "kernel": 4, "stride": 2, "padding": 1}},
           {"hidden": {"type": "linear", "out": 9}, "output": {"type": "linear"}}],
         "objective": {"samples": SAMPLES, "iterations": ITERATIONS, "variance": VARIANCE,
                       "output_bound": 0.4, "hidden_bound": 0.2, "label_smoothing": SMOOTHING}}
        """.Replace("SAMPLES", samples.ToString(System.Globalization.CultureInfo.InvariantCulture))
           .Replace("ITERATIONS", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture))
           .Replace("VARIANCE", variance ? "true" : "false")
           .Replace("SMOOTHING", smoothing.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static IsingBlockNet Build(string spec)
    {
        var net = (IsingBlockNet)ModelSpec.Parse(spec, "test").Build();
        net.Initialize(3);
        net.NoiseSeed = 7;
        net.Train();
        return net;
    }

    static (Tensor Images, int[] Labels) Batch(int n, ulong stream)
    {
        var x = new Tensor(new float[n * 2 * 8 * 8], n, 2, 8, 8);
        Philox.FillUniform(5, stream, 0, x.Data);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (int)(Philox.Uniform(5, stream + 100, (ulong)i) * 3) % 3;
        return (x, labels);
    }

    static void Close(float[] expected, float[] actual, float tolerance, string what)
    {
        float scale = 0;
        foreach (float v in expected) scale = MathF.Max(scale, MathF.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance * scale + 1e-7f, $"{what}[{i}]: CPU {expected[i]:R}, device {actual[i]:R} (largest {scale:R})");
    }

    [Theory]
    [InlineData(2, true, 64f, 0f)]
    [InlineData(3, true, 16f, 0f)]
    [InlineData(1, false, 64f, 0f)]
    [InlineData(1, true, 0f, 0f)]
    [InlineData(2, false, 64f, 0.2f)]
    public void One_step_agrees_with_the_cpu_engine(int iterations, bool variance, float samples, float smoothing)
    {
        string spec = Network(iterations, variance, samples, smoothing);
        var (x, labels) = Batch(6, 1);
        var cpuNet = Build(spec);
        var cpuOptimizer = new AdamW(cpuNet.NamedParameters(), 1e-2f, weightDecay: 1e-3f);
        var cpuMetrics = new Dictionary<string, double>();
        var loss = cpuNet.Loss(x, labels, 4, cpuMetrics);
        float cpuLoss = loss.Item();
        loss.Backward();
        var grads = cpuNet.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.Grad!.Data.ToArray());

        var deviceNet = Build(spec);
        var deviceOptimizer = new AdamW(deviceNet.NamedParameters(), 1e-2f, weightDecay: 1e-3f);
        using var engine = new DeviceTrainingEngine(fixture.Device, deviceNet, deviceOptimizer);
        var deviceMetrics = new Dictionary<string, double>();
        double deviceLoss = engine.ComputeGradients(x, labels, 4, deviceMetrics);
        Assert.Equal(cpuLoss, deviceLoss, 1e-5 * Math.Max(1, Math.Abs(cpuLoss)));
        Assert.Equal(cpuMetrics.Keys.Order(), deviceMetrics.Keys.Order());
        foreach (var (key, value) in cpuMetrics) Assert.Equal(value, deviceMetrics[key], 1e-5 * Math.Max(1, Math.Abs(value)));
        foreach (var (name, g) in grads) Close(g, engine.Gradient(name), GradientTolerance, name);

        cpuOptimizer.Step();
        engine.Step();
        engine.Pull();
        // AdamW's first step moves every weight by about lr·sign(g), so a weight whose gradient is within rounding of 0
        // (either sign) may land up to 2·lr apart; every other weight must agree to 10⁻⁵.
        var cpuState = cpuNet.StateDict().ToDictionary(p => p.Name, p => p.Tensor.Data);
        foreach (var (name, t) in deviceNet.StateDict())
        {
            var expected = cpuState[name];
            float largest = grads.TryGetValue(name, out var g) ? g.Max(MathF.Abs) : 0;
            for (int i = 0; i < expected.Length; i++)
            {
                bool settled = g is null || MathF.Abs(g[i]) > 1e-3f * largest;
                float tolerance = settled ? 1e-5f * (1 + MathF.Abs(expected[i])) : 2.02e-2f;
                Assert.True(MathF.Abs(expected[i] - t.Data[i]) <= tolerance, $"{name}[{i}] after the step: CPU {expected[i]:R}, device {t.Data[i]:R}");
            }
        }
        Assert.Equal(1, deviceOptimizer.StepCount);
    }

    sealed class SyntheticBatches(int batches, int size) : IBatchSource
    {
        public int BatchesPerEpoch => batches;
        public int Count => batches * size;
        public IEnumerable<Thermo.Training.Batch> Batches(int epoch, int startBatch = 0, CancellationToken cancel = default)
        {
            for (int b = startBatch; b < batches; b++)
            {
                var (x, y) = Batch(size, (ulong)(epoch * 1000 + b));
                yield return new Thermo.Training.Batch(x, y);
            }
        }
    }

    /// <summary>Trains 4 steps: the first <paramref name="split"/> on the device when <paramref name="firstOnDevice"/> (else on the CPU), then resumed from the checkpoint on the other engine.</summary>
    Dictionary<string, float[]> Train(string dir, bool firstOnDevice, int split)
    {
        string spec = Network(2, true, 64f), path = Path.Combine(dir, "model.safetensors");
        var options = new TrainOptions { Epochs = 1, LearningRate = 5e-3f, WarmupEpochs = 0, Seed = 3, CheckpointPath = path };
        var data = new SyntheticBatches(4, 6);
        Func<Thermo.Nn.Module, Optimizer, ITrainingEngine> device = (m, o) => new DeviceTrainingEngine(fixture.Device, (IsingBlockNet)m, o);
        var first = new Trainer(Build(spec), spec, options with { MaxStepsThisRun = split }, data) { Engine = firstOnDevice ? device : null };
        first.Run();
        Assert.Equal(split, Checkpoint.ReadMetadata(path).Training.Step);
        var net = Build(spec);
        var second = new Trainer(net, spec, options, data) { Engine = firstOnDevice ? null : device };
        second.Resume(path);
        var state = second.Run();
        Assert.Equal(4, state.Step);
        Assert.Equal(4, second.Optimizer.StepCount);
        return net.StateDict().ToDictionary(p => p.Name, p => p.Tensor.Data.ToArray());
    }

    [Fact]
    public void Checkpoints_continue_on_the_other_engine()
    {
        using var dir = new TempDirectory();
        string spec = Network(2, true, 64f), path = Path.Combine(dir.Path, "cpu", "model.safetensors");
        var cpuOnly = Build(spec);
        new Trainer(cpuOnly, spec, new TrainOptions { Epochs = 1, LearningRate = 5e-3f, WarmupEpochs = 0, Seed = 3, CheckpointPath = path }, new SyntheticBatches(4, 6)).Run();
        var reference = cpuOnly.StateDict().ToDictionary(p => p.Name, p => p.Tensor.Data);
        foreach (var (firstOnDevice, split) in new[] { (true, 2), (false, 2) })
        {
            var trained = Train(Path.Combine(dir.Path, $"{firstOnDevice}-{split}"), firstOnDevice, split);
            // Four AdamW steps of lr 5·10⁻³: each moves a weight by at most about 5·10⁻³, so rounding differences stay far below that.
            foreach (var (name, values) in reference) Close(values, trained[name], 1e-4f, $"{name} (device first: {firstOnDevice}, split {split})");
        }
    }
}
