using Thermo.Autograd;
using Thermo.Kernels;
using Thermo.Nn;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Blocks;

/// <summary>
/// A deep network of <see cref="IsingBlock"/>s joined by a thin digital step: each block's output spins are
/// time-averaged over G samples and binarised (the sign-average), then clamped as the next block's input.
/// The input image is encoded as ±1 spins by <see cref="Thresholds"/>. The last block has
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
    /// <summary>
    /// Input encoding: pixel value v ∈ [0, 1] of channel c gives one ±1 spin per threshold t_k (+1 when v &gt; t_k),
    /// in channel c·K + k: a single threshold binarises, several give a thermometer code.
    /// </summary>
    public float[] Thresholds { get; }
    /// <summary>Learnable logit scale applied to the class scores in training.</summary>
    public Tensor Scale { get; }
    /// <summary>The training objective.</summary>
    public BlockObjective Objective { get; set; } = new();
    /// <summary>Seed of the training noise (set from the run's seed).</summary>
    public ulong NoiseSeed { get; set; }
    /// <summary>Coupling precision and sparsity when prepared by <see cref="BlockQuantizer"/>, else null.</summary>
    public (int Bits, float Sparsity)? Quantization { get; set; }

    /// <summary>Chains blocks; the last block must have classes × population outputs.</summary>
    public IsingBlockNet(IEnumerable<IsingBlock> chain, int classes, int population, params float[] thresholds)
    {
        if (thresholds.Length == 0) throw new ArgumentException("at least one input threshold is needed");
        foreach (var b in chain)
        {
            if (blocks.Count > 0 && !blocks[^1].OutputShape.SequenceEqual(b.InputShape))
                throw new ArgumentException($"block {blocks.Count} expects input [{string.Join(", ", b.InputShape)}] but block {blocks.Count - 1} outputs [{string.Join(", ", blocks[^1].OutputShape)}]");
            blocks.Add(Child($"blocks.{blocks.Count}", b));
        }
        if (blocks.Count == 0) throw new ArgumentException("an Ising-block network needs at least one block");
        if (blocks[^1].OutputShape.Aggregate(1, (a, c) => a * c) != classes * population)
            throw new ArgumentException($"the last block has {string.Join("x", blocks[^1].OutputShape)} outputs, expected classes × population = {classes * population}");
        Classes = classes; Population = population; Thresholds = (float[])thresholds.Clone();
        Scale = Parameter("scale", new Tensor([8f], 1));
        readout = new float[classes * population * classes];
        for (int c = 0; c < classes; c++)
            for (int p = 0; p < population; p++) readout[(c * population + p) * classes + c] = 1f / population;
    }

    /// <summary>±1 input spins [N, C·K, H, W] from images [N, C, H, W] with pixels in [0, 1] (see <see cref="Thresholds"/>).</summary>
    public Tensor Binarize(Tensor images) => Encode(images, Thresholds);

    /// <summary>The input code of <see cref="Thresholds"/> with the given thresholds: [N, C·K, H, W] ±1 spins from [N, C, H, W] pixels.</summary>
    public static Tensor Encode(Tensor images, float[] thresholds)
    {
        int n = images.Shape[0], c = images.Shape[1], plane = images.Length / (n * c), k = thresholds.Length;
        int[] shape = [.. images.Shape];
        shape[1] = c * k;
        var s = Tensor.Empty(shape);
        var src = images.Data; var dst = s.Data;
        Elementwise.For(n * c * k, dst.Length, (r0, r1) =>
        {
            // Row r is threshold t = r mod k of image channel i = r / k.
            for (int r = r0; r < r1; r++)
                Elementwise.Threshold(src.AsSpan(r / k * plane, plane), thresholds[r % k], dst.AsSpan(r * plane, plane));
        });
        return s;
    }

    /// <summary>
    /// The first block's ±1 input rows for byte images [count, C, H, W] (pixel/255 against each threshold; the
    /// same code as <see cref="Binarize"/>), row-major [count, C·K·H·W].
    /// </summary>
    public sbyte[] EncodeSpins(ReadOnlySpan<byte> pixels)
    {
        int k = Thresholds.Length;
        int[] shape = blocks[0].InputShape;
        if (shape[0] % k != 0)
            throw new ArgumentException($"the first block's input [{string.Join(", ", shape)}] is not {k} threshold planes per image channel");
        return EncodeSpins(pixels, Thresholds, [shape[0] / k, .. shape[1..]]);
    }

    /// <summary>
    /// <see cref="EncodeSpins(ReadOnlySpan{byte})"/> for images of shape <paramref name="imageShape"/> [C, H, W] and the input
    /// code <paramref name="thresholds"/> (spin plane t of channel c is +1 where pixel/255 &gt; t_k), without the network.
    /// </summary>
    public static sbyte[] EncodeSpins(ReadOnlySpan<byte> pixels, float[] thresholds, int[] imageShape)
    {
        int k = thresholds.Length, channels = imageShape[0], plane = imageShape[1] * imageShape[2], perImage = channels * plane;
        if (perImage == 0 || pixels.Length % perImage != 0)
            throw new ArgumentException($"{pixels.Length} pixels are not whole images of shape [{string.Join(", ", imageShape)}]");
        int count = pixels.Length / perImage;
        var s = new sbyte[pixels.Length * k];
        for (int i = 0; i < count * channels; i++)
            for (int t = 0; t < k; t++)
            {
                float th = thresholds[t];
                var from = pixels.Slice(i * plane, plane);
                var to = s.AsSpan((i * k + t) * plane, plane);
                for (int p = 0; p < plane; p++) to[p] = from[p] / 255f > th ? (sbyte)1 : (sbyte)-1;
            }
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
            using var stage = InferenceStage.Begin();
            var mo = blocks[b].Surrogate(x, iterations, Objective.PropagateVariance, out var r);
            if (r is not null) residual = residual is null ? r : F.Add(residual, r);
            if (noiseStep >= 0 && Objective.Samples > 0)
                mo = BlockOps.ReadoutNoise(mo, Objective.Samples, NoiseSeed, Philox.Stream((ulong)noiseStep, (ulong)b, 0x5EED));
            x = b < blocks.Count - 1 ? F.SignSte(mo) : mo;
            if (stage is not null)
            {
                stage.Keep(x);
                if (residual is not null) stage.Keep(residual);
            }
        }
        return ClassScores(x);
    }

    /// <summary>
    /// Noise-free surrogate class scores (mean-field evaluation): the function the network was trained through,
    /// with the objective's own number of mean-field passes and variance setting, without the readout noise.
    /// </summary>
    public override Tensor Forward(Tensor images) => Surrogate(images, -1, Objective.Iterations, out _);

    /// <inheritdoc/>
    public Tensor Loss(Tensor images, int[] labels, long step, IDictionary<string, double> metrics)
    {
        var scores = Surrogate(images, step, Objective.Iterations, out var residual);
        var logits = ScaleScores(scores);
        var loss = F.CrossEntropy(logits, labels, Objective.LabelSmoothing);
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
