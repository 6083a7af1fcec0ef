using Thermo.Blocks;
using Thermo.Kernels;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;
using Thermo.Training;

namespace Thermo.Cli.Bench;

/// <summary>
/// The peer's <c>train-cifar</c>: Adam steps (lr 1e-3) of the <c>cifar10</c> preset at batch 128 on random images
/// with random labels; 3 steps per repeat, 2 timed repeats after 1 warm-up repeat. The peer trains the preset's
/// digital skeleton (conv, batch norm, tanh); Thermo trains the preset's real surrogate (thermometer input code,
/// readout noise of G samples, straight-through signs between blocks, magnitude penalty), which is more work.
/// </summary>
public sealed class TrainCifarWorkload : IBenchWorkload
{
    const int Batch = 128, Steps = 3, Repeats = 2;

    /// <inheritdoc/>
    public string Name => "train-cifar";
    /// <inheritdoc/>
    public string Description => "Adam steps of the cifar10 preset's Ising-block surrogate on 128 CIFAR-sized images (metric: images_per_second)";

    /// <inheritdoc/>
    public BenchResult Run()
    {
        var net = (IsingBlockNet)Presets.Get("cifar10").Spec.Build();
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
