using Thermo.Blocks;
using Thermo.Kernels;
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
/// </summary>
public sealed class TrainCifarWorkload : IBenchWorkload
{
    const int Batch = 128, Steps = 3, Repeats = 2;

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

    /// <inheritdoc/>
    public string Name => "train-cifar";
    /// <inheritdoc/>
    public string Description => "Adam steps of the peer's cifar10 Ising-block surrogate on 128 CIFAR-sized images (metric: images_per_second)";

    /// <inheritdoc/>
    public BenchResult Run()
    {
        var net = (IsingBlockNet)ModelSpec.Parse(PeerNetwork, "train-cifar").Build();
        net.Initialize(0);
        net.NoiseSeed = 0;
        net.Train();
        var optimizer = new AdamW(net.NamedParameters(), 1e-3f, weightDecay: 0f);
        var x = new Tensor(new float[Batch * 3 * 32 * 32], Batch, 3, 32, 32);
        Philox.FillUniform(0, 0, 0, x.Data);
        var labels = new int[Batch];
        for (int i = 0; i < Batch; i++) labels[i] = (int)(Philox.Uniform(0, 1, (ulong)i) * 10) % 10;
        var metrics = new Dictionary<string, double>();
        long step = 0;
        return BenchWorkloads.TrainingSteps(Name, optimizer, () => net.Loss(x, labels, step++, metrics), Batch, Steps, Repeats);
    }
}
