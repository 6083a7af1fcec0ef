using System.CommandLine;
using System.Diagnostics;
using Thermo.Autograd;
using Thermo.Blocks;
using Thermo.Devices;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;
using Thermo.Training;

namespace Thermo.Cli.Bench;

/// <summary>
/// The peer's <c>train-cifar</c>: Adam steps (lr 1e-3) of the <c>cifar10</c> network at batch 128 on random images
/// with random labels; 3 steps per repeat, 2 timed repeats after 1 warm-up repeat. The peer trains the network's
/// digital skeleton (conv, batch norm, tanh); Thermo trains its real surrogate (thermometer input code,
/// readout noise of G samples, straight-through signs between blocks, magnitude penalty), which is more work.
/// The network is the one the peer's workload fixes: 4×4 stride-2 output convolutions, the <c>cifar10</c> preset's
/// shape until 2026-12-05 (the preset now uses 2×2 stride-2 outputs, docs/method.md "CIFAR-10: which block shape").
/// <c>--device cuda|ilgpu-cpu</c> runs the same steps through <see cref="DeviceTrainingEngine"/>; <c>--verify</c> first
/// compares one step's loss and gradients there with the CPU engine's (exit code 3 beyond the tolerance).
/// </summary>
public sealed class TrainCifarWorkload : IBenchWorkload
{
    const int Batch = 128, Steps = 3, Repeats = 2, VerifyBatch = 8;

    /// <summary>Largest difference of a device gradient from the CPU engine's, relative to the tensor's largest entry, that <c>--verify</c> accepts.</summary>
    public const double VerifyTolerance = 1e-3;

    /// <summary>The network of the peer's <c>train-cifar</c> workload (<c>../shared/bench/torch_peer.py</c>).</summary>
    internal const string PeerNetwork = """
        {"name": "cifar10-peer-shapes", "family": "ising-blocks", "input": [3, 32, 32], "classes": 10,
         "binarize": [0.2, 0.4, 0.6, 0.8], "delta": 0.5, "population": 10,
         "blocks": [
           {"hidden": {"type": "conv2d", "out": 64, "kernel": 3, "padding": 1},
            "output": {"type": "conv2d", "out": 96, "kernel": 4, "stride": 2, "padding": 1}},
           {"hidden": {"type": "conv2d", "out": 128, "kernel": 3, "padding": 1},
            "output": {"type": "conv2d", "out": 192, "kernel": 4, "stride": 2, "padding": 1}},
           {"hidden": {"type": "conv2d", "out": 256, "kernel": 3, "padding": 1},
            "output": {"type": "conv2d", "out": 256, "kernel": 4, "stride": 2, "padding": 1}},
           {"hidden": {"type": "linear", "out": 512}, "output": {"type": "linear"}}],
         "objective": {"samples": 64, "iterations": 1, "variance": false}}
        """;

    readonly Option<string> device = CommonOptions.Device();
    readonly Option<int> batch = new Option<int>("--batch-size") { Description = $"images per step (default {Batch}, the peer's; small values for dry runs)", DefaultValueFactory = _ => Batch }.Within(2, 4096);
    readonly Option<int> steps = new Option<int>("--steps") { Description = $"steps per timed repeat (default {Steps})", DefaultValueFactory = _ => Steps }.Within(1, 1000);
    readonly Option<int> repeats = new Option<int>("--repeats") { Description = $"timed repeats after one warm-up (default {Repeats})", DefaultValueFactory = _ => Repeats }.Within(1, 100);
    readonly Option<bool> verify = new("--verify") { Description = $"first compare one step's loss and gradients (batch {VerifyBatch}, or --batch-size if smaller) on the device with the CPU engine's (exit code 3 beyond {VerifyTolerance:G} of each tensor's largest gradient)" };

    /// <summary>Creates the workload and its options.</summary>
    public TrainCifarWorkload() => device.Description = "where the steps run: cpu (the CPU engine), cuda (NVIDIA GPU through ILGPU), ilgpu-cpu (ILGPU's CPU accelerator, the test device), auto (cuda when present, else cpu)";

    /// <inheritdoc/>
    public string Name => "train-cifar";
    /// <inheritdoc/>
    public string Description => "Adam steps of the peer's cifar10 Ising-block surrogate on 128 CIFAR-sized images (metric: images_per_second)";
    /// <inheritdoc/>
    public IReadOnlyList<Option> Options => [device, batch, steps, repeats, verify];

    /// <inheritdoc/>
    public BenchResult Run() => Run(DeviceKind.Cpu, Batch, Steps, Repeats, false);

    /// <inheritdoc/>
    public BenchResult Run(ParseResult parse) =>
        Run(DeviceNames.Parse(parse.GetValue(device)!), parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(repeats), parse.GetValue(verify));

    static IsingBlockNet Network()
    {
        var net = (IsingBlockNet)ModelSpec.Parse(PeerNetwork, "train-cifar").Build();
        net.Initialize(0);
        net.NoiseSeed = 0;
        net.Train();
        return net;
    }

    static (Tensor Images, int[] Labels) Data(int n)
    {
        var x = new Tensor(new float[n * 3 * 32 * 32], n, 3, 32, 32);
        Philox.FillUniform(0, 0, 0, x.Data);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (int)(Philox.Uniform(0, 1, (ulong)i) * 10) % 10;
        return (x, labels);
    }

    static BenchResult Run(DeviceKind kind, int batchSize, int stepCount, int repeatCount, bool verifyFirst)
    {
        using var opened = ComputeDevice.Open(kind);
        if (opened is null && verifyFirst) throw new ArgumentException("--verify compares a device with the CPU engine: give --device cuda or ilgpu-cpu");
        var net = Network();
        var optimizer = new AdamW(net.NamedParameters(), 1e-3f, weightDecay: 0f);
        var (x, labels) = Data(batchSize);
        var metrics = new Dictionary<string, double>();
        long step = 0;
        if (opened is null)
            return BenchWorkloads.TrainingSteps("train-cifar", optimizer, () => net.Loss(x, labels, step++, metrics), batchSize, stepCount, repeatCount)
                .Add("device", "cpu");

        (double Loss, double Gradient, string Worst)? check = null;
        double verifySeconds = 0;
        if (verifyFirst)
        {
            long t0 = Stopwatch.GetTimestamp();
            check = Compare(opened, Math.Min(VerifyBatch, batchSize));
            verifySeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        using var engine = new DeviceTrainingEngine(opened, net, optimizer);
        double last = double.NaN;
        double seconds = BenchWorkloads.Timed(() =>
        {
            for (int s = 0; s < stepCount; s++)
            {
                last = engine.ComputeGradients(x, labels, step++, metrics);
                engine.Step();
            }
        }, repeatCount);
        var result = new BenchResult("train-cifar", "images_per_second", "images/s")
            .Add("batch", batchSize)
            .Add("images_per_second", batchSize * stepCount / seconds)
            .Add("step_ms", seconds / stepCount * 1e3)
            .Add("loss", last)
            .Add("device", DeviceNames.Name(opened.Kind))
            .Add("accelerator", opened.Name);
        if (check is { } c)
        {
            bool ok = c.Loss <= VerifyTolerance && c.Gradient <= VerifyTolerance;
            result.Add("verify_batch", Math.Min(VerifyBatch, batchSize))
                .Add("verify_loss_relative_difference", c.Loss)
                .Add("verify_gradient_relative_difference", c.Gradient)
                .Add("verify_worst_parameter", c.Worst)
                .Add("verify", ok ? "within tolerance" : "BEYOND TOLERANCE")
                .Add("verify_seconds", verifySeconds);
            if (!ok)
            {
                Console.Error.WriteLine($"train-cifar --verify: the {DeviceNames.Name(opened.Kind)} step differs from the CPU engine's beyond {VerifyTolerance:G}: loss {c.Loss:G3}, gradient {c.Gradient:G3} ({c.Worst})");
                result.ExitCode = 3;
            }
        }
        return result;
    }

    /// <summary>One step (step 0, <paramref name="n"/> images) on the CPU engine and on the device: relative differences of the loss and of the worst gradient tensor.</summary>
    static (double Loss, double Gradient, string Worst) Compare(ComputeDevice opened, int n)
    {
        var (x, labels) = Data(n);
        var cpu = Network();
        var metrics = new Dictionary<string, double>();
        double cpuLoss;
        using (new TensorScope())
        {
            var loss = cpu.Loss(x, labels, 0, metrics);
            cpuLoss = loss.Item();
            loss.Backward();
        }
        var gpuNet = Network();
        using var engine = new DeviceTrainingEngine(opened, gpuNet, new AdamW(gpuNet.NamedParameters(), 1e-3f));
        double deviceLoss = engine.ComputeGradients(x, labels, 0, metrics);
        double worst = 0;
        string worstName = "";
        foreach (var (name, t) in cpu.NamedParameters())
        {
            var g = t.Grad!.Data;
            var d = engine.Gradient(name);
            double largest = 0, diff = 0;
            for (int i = 0; i < g.Length; i++) { largest = Math.Max(largest, Math.Abs(g[i])); diff = Math.Max(diff, Math.Abs(g[i] - d[i])); }
            double relative = diff / Math.Max(largest, 1e-30);
            if (relative > worst || worstName == "") { worst = relative; worstName = name; }
        }
        return (Math.Abs(deviceLoss - cpuLoss) / Math.Max(1, Math.Abs(cpuLoss)), worst, worstName);
    }
}
