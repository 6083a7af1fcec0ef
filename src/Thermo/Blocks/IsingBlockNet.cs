using Thermo.Autograd;
using Thermo.Nn;
using Thermo.Randomness;
using Thermo.Tensors;
using Thermo.Training;

namespace Thermo.Blocks;

/// <summary>
/// A deep network of <see cref="IsingBlock"/>s joined by a thin digital step: each block's output spins are
/// time-averaged over G samples and binarised (the sign-average), then clamped as the next block's input.
/// The input image is binarised at <see cref="BinarizeThreshold"/>. The last block has
/// classes × <see cref="Population"/> output spins; a class's score is the mean of its population's time
/// averages, and the prediction is the arg-max.
/// <para>Training minimises softmax cross-entropy of <c>scale · score</c> on the noisy surrogate plus the
/// fixed-point and magnitude penalties of <see cref="BlockObjective"/>.</para>
/// </summary>
public sealed class IsingBlockNet : Module, ITrainingObjective
{
    readonly List<IsingBlock> blocks = new();
    readonly float[] readout;

    /// <summary>The blocks in order.</summary>
    public IReadOnlyList<IsingBlock> Blocks => blocks;
    /// <summary>Output spins per class in the last block.</summary>
    public int Population { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }
    /// <summary>Pixels (in [0, 1]) above this become +1 input spins, the rest −1.</summary>
    public float BinarizeThreshold { get; }
    /// <summary>Learnable logit scale applied to the class scores in training.</summary>
    public Tensor Scale { get; }
    /// <summary>The training objective.</summary>
    public BlockObjective Objective { get; set; } = new();
    /// <summary>Seed of the training noise (set from the run's seed).</summary>
    public ulong NoiseSeed { get; set; }
    /// <summary>Coupling precision and sparsity when prepared by <see cref="BlockQuantizer"/>, else null.</summary>
    public (int Bits, float Sparsity)? Quantization { get; set; }

    /// <summary>Chains blocks; the last block must have classes × population outputs.</summary>
    public IsingBlockNet(IEnumerable<IsingBlock> chain, int classes, int population, float binarizeThreshold)
    {
        foreach (var b in chain)
        {
            if (blocks.Count > 0 && !blocks[^1].OutputShape.SequenceEqual(b.InputShape))
                throw new ArgumentException($"block {blocks.Count} expects input [{string.Join(", ", b.InputShape)}] but block {blocks.Count - 1} outputs [{string.Join(", ", blocks[^1].OutputShape)}]");
            blocks.Add(Child($"blocks.{blocks.Count}", b));
        }
        if (blocks.Count == 0) throw new ArgumentException("an Ising-block network needs at least one block");
        if (blocks[^1].OutputShape.Aggregate(1, (a, c) => a * c) != classes * population)
            throw new ArgumentException($"the last block has {string.Join("x", blocks[^1].OutputShape)} outputs, expected classes × population = {classes * population}");
        Classes = classes; Population = population; BinarizeThreshold = binarizeThreshold;
        Scale = Parameter("scale", new Tensor([8f], 1));
        readout = new float[classes * population * classes];
        for (int c = 0; c < classes; c++)
            for (int p = 0; p < population; p++) readout[(c * population + p) * classes + c] = 1f / population;
    }

    /// <summary>±1 spins from images with pixels in [0, 1].</summary>
    public Tensor Binarize(Tensor images)
    {
        var s = Tensor.Empty(images.Shape);
        var src = images.Data; var dst = s.Data;
        for (int i = 0; i < dst.Length; i++) dst[i] = src[i] > BinarizeThreshold ? 1f : -1f;
        return s;
    }

    /// <summary>Class scores [N, classes]: population means of the last block's output averages [N, classes·pop].</summary>
    public Tensor ClassScores(Tensor outputAverages)
    {
        var flat = F.Reshape(outputAverages, outputAverages.Shape[0], -1);
        return F.MatMul(flat, new Tensor(readout, Classes * Population, Classes));
    }

    /// <summary>Surrogate forward: class scores; with <paramref name="noiseStep"/> ≥ 0 the readout noise of G samples is drawn for that step.</summary>
    public Tensor Surrogate(Tensor images, long noiseStep, int iterations, out Tensor? residual)
    {
        var x = Binarize(images);
        residual = null;
        for (int b = 0; b < blocks.Count; b++)
        {
            var mo = blocks[b].Surrogate(x, iterations, Objective.PropagateVariance, out var r);
            if (r is not null) residual = residual is null ? r : F.Add(residual, r);
            if (noiseStep >= 0 && Objective.Samples > 0)
                mo = BlockOps.ReadoutNoise(mo, Objective.Samples, NoiseSeed, Philox.Stream((ulong)noiseStep, (ulong)b, 0x5EED));
            x = b < blocks.Count - 1 ? F.SignSte(mo) : mo;
        }
        return ClassScores(x);
    }

    /// <summary>Noise-free surrogate class scores (mean-field evaluation).</summary>
    public override Tensor Forward(Tensor images) => Surrogate(images, -1, Math.Max(Objective.Iterations, 4), out _);

    /// <inheritdoc/>
    public Tensor Loss(Tensor images, int[] labels, long step, IDictionary<string, double> metrics)
    {
        var scores = Surrogate(images, step, Objective.Iterations, out var residual);
        var logits = ScaleScores(scores);
        var loss = F.CrossEntropy(logits, labels);
        metrics["ce"] = loss.Item();
        if (residual is not null && Objective.FixedPointWeight > 0)
        {
            metrics["fixed_point"] = residual.Item();
            loss = F.Add(loss, F.Scale(residual, Objective.FixedPointWeight));
        }
        if (Objective.MagnitudeWeight > 0)
        {
            float worstOut = 0, worstHid = 0;
            Tensor? mag = null;
            foreach (var b in blocks)
            {
                var p = b.MagnitudePenalty(Objective.OutputBound, Objective.HiddenBound, out float o, out float h);
                worstOut = MathF.Max(worstOut, o); worstHid = MathF.Max(worstHid, h);
                mag = mag is null ? p : F.Add(mag, p);
            }
            metrics["alpha_out"] = worstOut; metrics["alpha_hid"] = worstHid;
            loss = F.Add(loss, F.Scale(mag!, Objective.MagnitudeWeight));
        }
        return loss;
    }

    /// <summary>scale · scores, differentiable in both.</summary>
    Tensor ScaleScores(Tensor scores)
    {
        // [N, K] scores times a learnable scalar: (scores reshaped [N·K, 1]) · [1, 1].
        var flat = F.Reshape(scores, scores.Length, 1);
        return F.Reshape(F.MatMul(flat, F.Reshape(Scale, 1, 1)), scores.Shape);
    }

    /// <summary>Multiply-accumulates of one forward W·x over all couplings of all blocks, per sample (for cost ledgers).</summary>
    public long CouplingMacsPerSample => blocks.Sum(b => b.Hidden.MacsPerSample + b.Output.MacsPerSample);

    /// <inheritdoc/>
    public override string Describe() => $"IsingBlockNet({blocks.Count} blocks, population {Population})";
}
