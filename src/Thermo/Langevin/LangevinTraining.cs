using Thermo.Autograd;
using Thermo.Optim;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Langevin;

/// <summary>Settings of the whole training pipeline (docs/langevin.md explains each choice).</summary>
public sealed record LangevinTrainingOptions
{
    /// <summary>Hidden units H.</summary>
    public int Hidden { get; init; } = 64;
    /// <summary>Coupling classes the computer may use.</summary>
    public CouplingClasses Classes { get; init; } = CouplingClasses.Published;
    /// <summary>Unit constants (published: kT = J2 = J4 = μ = 1).</summary>
    public float KT { get; init; } = 1f;
    /// <inheritdoc cref="KT"/>
    public float J2 { get; init; } = 1f;
    /// <inheritdoc cref="KT"/>
    public float J4 { get; init; } = 1f;
    /// <inheritdoc cref="KT"/>
    public float Mobility { get; init; } = 1f;
    /// <summary>Δt and t_f (published: 1e-3, 0.2).</summary>
    public LangevinSchedule Schedule { get; init; } = LangevinSchedule.Published;
    /// <summary>Teacher activation.</summary>
    public TeacherActivation Activation { get; init; } = TeacherActivation.Tanh;
    /// <summary>Teacher epochs, learning rate (AdamW, cosine) and batch size.</summary>
    public int TeacherEpochs { get; init; } = 8;
    /// <inheritdoc cref="TeacherEpochs"/>
    public float TeacherLearningRate { get; init; } = 1e-3f;
    /// <inheritdoc cref="TeacherEpochs"/>
    public int TeacherBatch { get; init; } = 128;
    /// <summary>Thermal-noise injection into the teacher's activations (multiplier; 0 = off).</summary>
    public float TeacherNoise { get; init; }
    /// <summary>β of the teacher's softmax readout.</summary>
    public float ReadoutScale { get; init; } = 4f;
    /// <summary>Idealised trajectory design.</summary>
    public IdealTrajectory Trajectory { get; init; } = new(TrajectoryShape.Relaxation, HiddenScale: 3f, OutputScale: 3f);
    /// <summary>Ridge of the maximum-likelihood fit.</summary>
    public double Ridge { get; init; } = 1e-6;
    /// <summary>Training inputs used for the fit (0 = all).</summary>
    public int FitInputs { get; init; }
    /// <summary>Fine-tuning under the noisy dynamics (0 epochs = teacher–student only).</summary>
    public int FineTuneEpochs { get; init; }
    /// <inheritdoc cref="FineTuneEpochs"/>
    public float FineTuneLearningRate { get; init; } = 1e-3f;
    /// <inheritdoc cref="FineTuneEpochs"/>
    public int FineTuneBatch { get; init; } = 100;
    /// <inheritdoc cref="FineTuneEpochs"/>
    public float FineTuneReadoutScale { get; init; } = 1f;
    /// <summary>Weight of the heat penalty while fine-tuning (0 = accuracy only).</summary>
    public float FineTuneHeatPenalty { get; init; }
    /// <summary>Master seed (teacher initialisation, shuffling, noise).</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>What <see cref="LangevinTraining.Train"/> produced.</summary>
public sealed class LangevinTrainingResult
{
    /// <summary>The trained computer.</summary>
    public required LangevinComputer Computer { get; init; }
    /// <summary>The teacher.</summary>
    public required LangevinTeacher Teacher { get; init; }
    /// <summary>Teacher training-set accuracy after its last epoch.</summary>
    public required double TeacherTrainAccuracy { get; init; }
    /// <summary>The maximum-likelihood fit.</summary>
    public required PathFitReport Fit { get; init; }
    /// <summary>Fine-tuning epochs.</summary>
    public required List<EpochReport> FineTune { get; init; }
}

/// <summary>
/// The training pipeline: (1) train the teacher on the data with AdamW; (2) fit the computer to the teacher's
/// idealised trajectories by maximum path likelihood (<see cref="TeacherStudentFit"/>); (3) optionally fine-tune
/// for single-trajectory accuracy under the noisy dynamics (<see cref="NoisyDynamicsTraining"/>).
/// </summary>
public static class LangevinTraining
{
    /// <summary>Trains on <paramref name="count"/> normalised inputs [count × inputs].</summary>
    public static LangevinTrainingResult Train(LangevinTrainingOptions o, float[] inputs, int[] labels, int count, int inputSize, int latticeWidth,
        int classes, InputNormalization normalization, Action<string>? log = null)
    {
        var computer = new LangevinComputer(inputSize, o.Hidden, classes, o.Classes, latticeWidth)
        {
            KT = o.KT, J2 = o.J2, J4 = o.J4, Mobility = o.Mobility, Normalization = normalization,
        };
        var teacher = new LangevinTeacher(computer, o.Activation, o.ReadoutScale, o.TeacherNoise) { NoiseSeed = o.Seed };
        teacher.Initialize(o.Seed);
        double teacherAccuracy = TrainTeacher(teacher, o, inputs, labels, count, inputSize, log);

        int fitCount = o.FitInputs > 0 ? Math.Min(o.FitInputs, count) : count;
        var fit = new TeacherStudentFit { Trajectory = o.Trajectory, Solver = new PathLikelihoodFit { Ridge = o.Ridge } };
        var started = System.Diagnostics.Stopwatch.StartNew();
        var report = fit.Fit(computer, o.Schedule, teacher, inputs, fitCount,
            done => { if (done % 10000 < fit.Chunk || done == fitCount) log?.Invoke($"path statistics: {done}/{fitCount} inputs"); });
        log?.Invoke($"maximum-likelihood fit: {report.Iterations} CG iterations, relative residual {report.RelativeResidual:E1}, "
            + $"−ln P per term {report.NegLogLikelihoodPerTerm:G4} ({started.Elapsed.TotalSeconds:F0} s)");

        var epochs = new List<EpochReport>();
        if (o.FineTuneEpochs > 0)
        {
            var tuner = new NoisyDynamicsTraining
            {
                Epochs = o.FineTuneEpochs, LearningRate = o.FineTuneLearningRate, BatchSize = o.FineTuneBatch,
                ReadoutScale = o.FineTuneReadoutScale, HeatPenalty = o.FineTuneHeatPenalty, Seed = o.Seed,
            };
            tuner.Train(computer, o.Schedule, inputs, labels, count, e =>
            {
                epochs.Add(e);
                log?.Invoke($"fine-tune epoch {e.Epoch + 1}/{o.FineTuneEpochs}: loss {e.Loss:F4}, noisy single-trajectory train accuracy {e.Accuracy:P2}, heat −ΔV {e.HeatKT:G4} kT");
            });
        }
        return new LangevinTrainingResult { Computer = computer, Teacher = teacher, TeacherTrainAccuracy = teacherAccuracy, Fit = report, FineTune = epochs };
    }

    static double TrainTeacher(LangevinTeacher teacher, LangevinTrainingOptions o, float[] inputs, int[] labels, int count, int inputSize, Action<string>? log)
    {
        int b = Math.Min(o.TeacherBatch, count);
        var adam = new AdamW(teacher.NamedParameters(), o.TeacherLearningRate);
        long stepsPerEpoch = count / b, step = 0;
        var lr = new LrSchedule(o.TeacherLearningRate, o.TeacherEpochs * stepsPerEpoch, Shape: LrShape.Cosine, FinalFraction: 0.05f);
        var order = new int[count];
        var xb = new float[b * inputSize];
        var yb = new int[b];
        double accuracy = double.NaN;
        teacher.Train();
        for (int epoch = 0; epoch < o.TeacherEpochs; epoch++)
        {
            Permutation(order, o.Seed, 0x7EAC0000UL + (ulong)epoch);
            long correct = 0, seen = 0;
            double loss = 0;
            for (int start = 0; start + b <= count; start += b)
            {
                for (int i = 0; i < b; i++)
                {
                    inputs.AsSpan(order[start + i] * inputSize, inputSize).CopyTo(xb.AsSpan(i * inputSize, inputSize));
                    yb[i] = labels[order[start + i]];
                }
                using var scope = new TensorScope();
                adam.ZeroGrad();
                adam.LearningRate = lr.At(step++);
                var logits = teacher.Forward(Tensor.FromArray(xb, b, inputSize));
                var l = F.CrossEntropy(logits, yb);
                l.Backward();
                adam.Step();
                loss += l.Item() * b;
                for (int i = 0; i < b; i++) if (LangevinEvaluation.TopTwo(logits.Data.AsSpan(i * logits.Dim(1), logits.Dim(1))).First == yb[i]) correct++;
                seen += b;
            }
            accuracy = (double)correct / seen;
            log?.Invoke($"teacher epoch {epoch + 1}/{o.TeacherEpochs}: loss {loss / seen:F4}, train accuracy {accuracy:P2}");
        }
        teacher.Eval();
        return accuracy;
    }

    /// <summary>A Philox-keyed Fisher–Yates permutation of 0..n−1.</summary>
    internal static void Permutation(int[] order, ulong seed, ulong stream)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        ulong s = Philox.Stream(stream);
        for (int i = order.Length - 1; i > 0; i--)
        {
            var (w0, w1, _, _) = Philox.Block(seed, s, (ulong)i);
            int j = (int)((((ulong)w1 << 32) | w0) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>Top-1 accuracy of the teacher on normalised inputs.</summary>
    public static double TeacherAccuracy(LangevinTeacher teacher, float[] inputs, int[] labels, int count, int inputSize)
    {
        bool was = teacher.Training;
        teacher.Eval();
        long correct = 0;
        for (int start = 0; start < count; start += 1000)
        {
            int n = Math.Min(1000, count - start);
            using var scope = new TensorScope();
            using var ng = GradMode.NoGrad();
            var (_, o) = teacher.Activations(Tensor.FromArray(inputs.AsSpan(start * inputSize, n * inputSize), n, inputSize));
            int k = o.Dim(1);
            for (int i = 0; i < n; i++) if (LangevinEvaluation.TopTwo(o.Data.AsSpan(i * k, k)).First == labels[start + i]) correct++;
        }
        teacher.Train(was);
        return (double)correct / count;
    }
}
