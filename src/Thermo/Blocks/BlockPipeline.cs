using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;
using Thermo.Tensors;

namespace Thermo.Blocks;

/// <summary>
/// The one block loop of an Ising-block network, as hardware would run it: each block is compiled to an
/// <see cref="IsingProgram"/> and sampled by block Gibbs with feedback (no shortcut: the hidden layer feels the output
/// through δW₂ᵀ) for T_b burn-in sweeps and G_b samples (<see cref="BlockSchedule"/>). Its output spins are averaged
/// over the G_b samples (and the chains), binarised and clamped as the next block's input; the last block's averages
/// give the class scores. An exact tie (possible for even G) is broken by a fair coin keyed by (seed, block, example,
/// spin): sending ties to +1 would bias every undecided spin the same way, which training (continuous noise) never sees.
/// Block b of input i (global index) under seed s is always the same chain, keyed by (s, b, <see cref="StreamTag.BlockSampling"/>),
/// so <see cref="Evaluate"/> (evaluation) and the block-at-a-time methods the analyses use (<see cref="RunPrefix"/>,
/// <see cref="Signs"/>, <see cref="Scores"/>) see the same samples.
/// </summary>
public sealed class BlockPipeline
{
    /// <summary>Index of the output layer in every compiled block ("input", "hidden", "output").</summary>
    public const int OutputLayer = 2;
    /// <summary>Index of the hidden layer in every compiled block.</summary>
    public const int HiddenLayer = 1;

    readonly IsingBlockNet? net;
    readonly Func<IsingProgram, GibbsSampler> samplerFactory;
    // One sampler per block, made on first use and reused for every batch: a sampler lays out its program's
    // couplings (megabytes for a wide block), which a new sampler per batch would redo and leave to the GC.
    GibbsSampler[]? samplers;

    /// <summary>Compiles <paramref name="net"/>; <paramref name="samplerFactory"/> picks the sampler (default: the fastest faithful one).</summary>
    public BlockPipeline(IsingBlockNet net, Func<IsingProgram, GibbsSampler>? samplerFactory = null)
        : this(CompiledBlockNet.From(net, "network", null, [net.Blocks[0].InputShape[0] / net.Thresholds.Length, .. net.Blocks[0].InputShape[1..]],
            Data.Normalization.UnitRange, null), samplerFactory)
    {
        this.net = net;
    }

    /// <summary>Runs an already compiled network (for example one loaded by <see cref="CompiledBlockNetFile"/>).</summary>
    public BlockPipeline(CompiledBlockNet compiled, Func<IsingProgram, GibbsSampler>? samplerFactory = null)
    {
        compiled.Validate();
        Compiled = compiled;
        Programs = compiled.Programs;
        this.samplerFactory = samplerFactory ?? (p => GibbsSampler.Create(p));
        FreeSpins = Programs.Select(p => (long)p.FreeSpinCount).ToArray();
    }

    /// <summary>The compiled network.</summary>
    public CompiledBlockNet Compiled { get; }
    /// <summary>The trained network the programs were compiled from; the analyses that also read its surrogate need it.</summary>
    public IsingBlockNet Net => net ?? throw new InvalidOperationException($"'{Compiled.Name}' is a compiled network: this analysis needs the trained network (its checkpoint)");
    /// <summary>The compiled programs, one per block.</summary>
    public IReadOnlyList<IsingProgram> Programs { get; }
    /// <summary>Free (sampled) spins n_b of each block.</summary>
    public long[] FreeSpins { get; }

    /// <summary>Number of blocks.</summary>
    public int Blocks => Programs.Count;
    /// <summary>Number of classes.</summary>
    public int Classes => Compiled.Classes;
    /// <summary>Output spins per class in the last block.</summary>
    public int Population => Compiled.Population;
    /// <summary>The sampler of block b.</summary>
    public GibbsSampler Sampler(int block) => (samplers ??= Programs.Select(samplerFactory).ToArray())[block];
    /// <summary>Input spins of block b (per input).</summary>
    public int InputWidth(int block) => Programs[block].InputSpinCount;
    /// <summary>Output spins of block b (per input).</summary>
    public int OutputSize(int block) => Programs[block].Layers[OutputLayer].Size;

    /// <summary>The Philox seed of block b's request.</summary>
    public static ulong BlockSeed(ulong seed, int block) => Philox.Stream(seed, (ulong)block, StreamTag.BlockSampling);

    /// <summary>The first block's ±1 inputs for images with pixels in [0, 1] ([N, C, H, W]), row-major [N, width].</summary>
    public sbyte[] InputSpins(Tensor images)
    {
        var x = IsingBlockNet.Encode(images, Compiled.Thresholds);
        var s = new sbyte[x.Length];
        for (int i = 0; i < s.Length; i++) s[i] = x.Data[i] > 0 ? (sbyte)1 : (sbyte)-1;
        return s;
    }

    /// <summary>The first block's ±1 inputs for byte images (pixel/255 against the binarisation threshold).</summary>
    public sbyte[] InputSpins(ReadOnlySpan<byte> pixels) => IsingBlockNet.EncodeSpins(pixels, Compiled.Thresholds, Compiled.InputShape);

    /// <summary>
    /// Classifies <paramref name="images"/> (pixels in [0, 1]) under <paramref name="schedule"/> with <paramref name="chains"/>
    /// chains per input. <paramref name="firstIndex"/> is the dataset index of the first image: randomness is keyed by it,
    /// so any split of a dataset gives the same per-example results.
    /// </summary>
    public BlockGibbsResult Evaluate(Tensor images, BlockSchedule schedule, int chains, ulong seed, long firstIndex = 0)
    {
        if (schedule.Blocks != Programs.Count) throw new ArgumentException($"schedule {schedule} has {schedule.Blocks} blocks, the network {Programs.Count}");
        int n = images.Shape[0];
        var current = InputSpins(images);
        var outputs = new float[Programs.Count][];
        var updates = new long[Programs.Count];
        for (int b = 0; b < Programs.Count; b++)
        {
            var batch = new InputBatch(current, n, InputWidth(b), firstIndex);
            var blockSchedule = schedule.Block(b);
            var observer = new SignAverageObserver(OutputLayer);
            Sampler(b).Run(new SamplingRequest(batch, chains, blockSchedule, BlockSeed(seed, b)), observer);
            int outSize = observer.Size;
            outputs[b] = new float[n * outSize];
            var next = new sbyte[n * outSize];
            for (int i = 0; i < n; i++)
            {
                var m = outputs[b].AsSpan(i * outSize, outSize);
                observer.Readout(i, m);
                for (int k = 0; k < outSize; k++)
                    next[i * outSize + k] = m[k] > 0 || (m[k] == 0 && TieBreak(seed, b, firstIndex + i, k)) ? (sbyte)1 : (sbyte)-1;
            }
            updates[b] = blockSchedule.SpinUpdates(FreeSpins[b], (long)chains * n);
            current = next;
        }
        int classes = Classes, pop = Population;
        var scores = new float[n * classes];
        var last = outputs[^1];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++)
            {
                float s = 0;
                for (int p = 0; p < pop; p++) s += last[(i * classes + c) * pop + p];
                scores[i * classes + c] = s / pop;
            }
        return new BlockGibbsResult(scores, outputs, updates);
    }

    /// <summary>
    /// Runs block <paramref name="block"/> on <paramref name="count"/> input rows (global indices from
    /// <paramref name="firstIndex"/>) for burn-in + max(checkpoints) sweeps, keeping prefix sums of the output layer.
    /// </summary>
    public PrefixSumObserver RunPrefix(int block, sbyte[] inputs, int count, long firstIndex, int chains, int burnIn, int[] checkpoints, ulong seed, params Observer[] more)
    {
        var observer = new PrefixSumObserver(OutputLayer, checkpoints);
        var request = new SamplingRequest(new InputBatch(inputs, count, InputWidth(block), firstIndex), chains, new Schedule(burnIn, checkpoints[^1]), BlockSeed(seed, block));
        Sampler(block).Run(request, [observer, .. more]);
        return observer;
    }

    /// <summary>
    /// sign(Σ over chains of the prefix sums) of every input, [count, outputs]: the next block's inputs. A tie (even G) is
    /// broken by the fair coin of <see cref="TieBreak"/>, keyed by (seed, block, global example index, spin).
    /// </summary>
    public static sbyte[] Signs(PrefixSumObserver prefix, int count, int chains, int checkpoint, ulong seed, int block, long firstIndex)
    {
        int n = prefix.Size;
        var next = new sbyte[count * n];
        var total = new int[n];
        for (int i = 0; i < count; i++)
        {
            Array.Clear(total);
            for (int c = 0; c < chains; c++)
            {
                var s = prefix.Sums(i, c, checkpoint);
                for (int k = 0; k < n; k++) total[k] += s[k];
            }
            for (int k = 0; k < n; k++)
                next[i * n + k] = total[k] > 0 || (total[k] == 0 && TieBreak(seed, block, firstIndex + i, k)) ? (sbyte)1 : (sbyte)-1;
        }
        return next;
    }

    /// <summary>The tie-breaking coin for spin <paramref name="spin"/> of block <paramref name="block"/>'s output on an example.</summary>
    public static bool TieBreak(ulong seed, int block, long example, int spin) =>
        Philox.Uniform(seed, Philox.Stream((ulong)block, (ulong)example, StreamTag.TieBreak), (ulong)spin) < 0.5f;

    /// <summary>
    /// Class scores of input <paramref name="slot"/> from last-block prefix sums, computed in <see cref="Evaluate"/>'s float
    /// arithmetic (time average m_k = (float)(Σ/G), then Σ_p m / P in float), so that the arg-max — including how float
    /// rounding breaks exact ties between class sums — is the one <c>thermo eval</c> reports.
    /// </summary>
    public double[] Scores(PrefixSumObserver prefix, int slot, int chains, int checkpoint)
    {
        int outputs = Classes * Population;
        var total = new long[outputs];
        for (int c = 0; c < chains; c++)
        {
            var s = prefix.Sums(slot, c, checkpoint);
            for (int k = 0; k < outputs; k++) total[k] += s[k];
        }
        long g = (long)chains * prefix.Checkpoints[checkpoint];
        var scores = new double[Classes];
        for (int cls = 0; cls < Classes; cls++)
        {
            float sum = 0;
            for (int p = 0; p < Population; p++) sum += (float)((double)total[cls * Population + p] / g);
            scores[cls] = sum / Population;
        }
        return scores;
    }

    /// <summary>The predicted class: the first index of the largest score (as evaluation's arg-max).</summary>
    public static int ArgMax(ReadOnlySpan<double> scores)
    {
        int best = 0;
        for (int k = 1; k < scores.Length; k++) if (scores[k] > scores[best]) best = k;
        return best;
    }
}
