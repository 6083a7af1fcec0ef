using Thermo.Autograd;
using Thermo.Optim;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>One epoch of <see cref="NoisyDynamicsTraining"/>.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Loss">Mean training cross-entropy.</param>
/// <param name="Accuracy">Single-trajectory top-1 accuracy on the training batches (as trained: noisy).</param>
/// <param name="HeatKT">Mean heat proxy −ΔV per training trajectory, in kT.</param>
public readonly record struct EpochReport(int Epoch, double Loss, double Accuracy, double HeatKT);

/// <summary>
/// Fine-tuning for accuracy under the noisy dynamics: minimises the softmax cross-entropy of β·x_out(t_f) over
/// single noisy trajectories with AdamW and a cosine learning rate, differentiating through the Euler–Maruyama
/// recursion with <see cref="TrajectoryBackprop"/>. Fresh noise every epoch (stream salt = epoch + 1; evaluation
/// uses salt 0), minibatches from a Philox-keyed shuffle, so a run is reproducible for any thread count.
/// </summary>
public sealed class NoisyDynamicsTraining
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 4;
    /// <summary>Inputs per step.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Noisy trajectories per input per step.</summary>
    public int Trajectories { get; init; } = 1;
    /// <summary>Peak learning rate (cosine decay to 0).</summary>
    public float LearningRate { get; init; } = 1e-3f;
    /// <summary>Decoupled weight decay.</summary>
    public float WeightDecay { get; init; }
    /// <summary>β of the softmax readout.</summary>
    public float ReadoutScale { get; init; } = 4f;
    /// <summary>Weight η of the heat penalty η·(−ΔV)/kT per trajectory (<see cref="TrajectoryBackprop.HeatPenalty"/>).</summary>
    public float HeatPenalty { get; init; }
    /// <summary>Seed of noise and shuffling.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Trains <paramref name="computer"/> in place on <paramref name="count"/> inputs [count × I].</summary>
    public void Train(LangevinComputer computer, LangevinSchedule schedule, float[] inputs, int[] labels, int count, Action<EpochReport>? progress = null, Action<long, long>? stepProgress = null)
    {
        int ni = computer.Inputs, m = computer.Moving, b = Math.Min(BatchSize, count);
        if (b <= 0) throw new ArgumentException("need at least one training input");
        var bp = new TrajectoryBackprop(computer, schedule) { ReadoutScale = ReadoutScale, HeatPenalty = HeatPenalty };
        var pIn = new Tensor(computer.InputCoupling, Math.Max(1, ni), m) { RequiresGrad = true };
        var pJ = new Tensor(computer.MovingCoupling, m, m) { RequiresGrad = true };
        var pB = new Tensor(computer.Bias, m) { RequiresGrad = true };
        var adam = new AdamW([("input_coupling", pIn), ("moving_coupling", pJ), ("bias", pB)], LearningRate, weightDecay: WeightDecay);
        var schedule2 = new LrSchedule(LearningRate, (long)Epochs * (count / b), Shape: LrShape.Cosine);
        var order = new int[count];
        var xb = new float[b * ni];
        var yb = new int[b];
        long step = 0, total = (long)Epochs * (count / b);
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            LangevinTraining.Permutation(order, Seed, 0x5EED0000UL + (ulong)epoch);
            double loss = 0, heat = 0;
            long correct = 0, rows = 0;
            for (int start = 0; start + b <= count; start += b)
            {
                for (int i = 0; i < b; i++)
                {
                    int n = order[start + i];
                    inputs.AsSpan(n * ni, ni).CopyTo(xb.AsSpan(i * ni, ni));
                    yb[i] = labels[n];
                }
                // Streams keyed by the position in the epoch's order keep every minibatch's noise distinct.
                var r = bp.Run(xb, yb, b, Trajectories, Seed, (ulong)epoch + 1, start);
                SetGrad(pIn, bp.InputCouplingGrad);
                SetGrad(pJ, bp.MovingCouplingGrad);
                SetGrad(pB, bp.BiasGrad);
                adam.LearningRate = schedule2.At(step++);
                adam.Step();
                computer.Enforce();
                loss += r.Loss * r.Rows; heat += r.HeatKT * r.Rows; correct += r.Correct; rows += r.Rows;
                stepProgress?.Invoke(step, total);
            }
            progress?.Invoke(new EpochReport(epoch, loss / Math.Max(1, rows), (double)correct / Math.Max(1, rows), heat / Math.Max(1, rows)));
        }
    }

    static void SetGrad(Tensor t, float[] g)
    {
        var sink = GradBuffer.Sink(t, out _);
        g.AsSpan(0, t.Length).CopyTo(sink);
    }
}
