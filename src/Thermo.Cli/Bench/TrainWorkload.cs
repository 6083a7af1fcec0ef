using Thermo.Autograd;
using Thermo.Kernels;
using Thermo.Nn;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Cli.Bench;

/// <summary>
/// The peer's <c>train</c>: Adam steps (lr 1e-3) of conv(1→32, 4×4, s2, p1) → tanh → conv(32→64, 4×4, s2, p1) →
/// tanh → flatten → dense(3136→10) under mean cross-entropy, batch 128 of U(0, 1) images with random labels;
/// 10 steps per repeat, 3 timed repeats after 1 warm-up repeat.
/// </summary>
public sealed class TrainWorkload : IBenchWorkload
{
    const int Batch = 128, Steps = 10, Repeats = 3;

    /// <inheritdoc/>
    public string Name => "train";
    /// <inheritdoc/>
    public string Description => "Adam steps of a 2-conv + dense network on 128 MNIST-sized images (metric: images_per_second)";

    /// <inheritdoc/>
    public BenchResult Run()
    {
        var model = new Sequential(
            new Nn.Conv2d(1, 32, 4, stride: 2, padding: 1), new Tanh(),
            new Nn.Conv2d(32, 64, 4, stride: 2, padding: 1), new Tanh(),
            new Flatten(), new Linear(64 * 7 * 7, 10));
        model.Initialize(0);
        var optimizer = new AdamW(model.NamedParameters(), 1e-3f);
        var x = new Tensor(new float[Batch * 28 * 28], Batch, 1, 28, 28);
        Philox.FillUniform(0, 0, 0, x.Data);
        var labels = new int[Batch];
        for (int i = 0; i < Batch; i++) labels[i] = (int)(Philox.Uniform(0, 1, (ulong)i) * 10) % 10;
        return BenchWorkloads.TrainingSteps(Name, optimizer, () => F.CrossEntropy(model.Forward(x), labels), Batch, Steps, Repeats);
    }
}
