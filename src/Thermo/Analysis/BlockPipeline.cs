using Thermo.Blocks;
using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;
using Thermo.Tensors;

namespace Thermo.Analysis;

/// <summary>
/// An <see cref="IsingBlockNet"/> run block by block exactly as <see cref="BlockGibbsEvaluator"/> runs it (same
/// compiled programs, same Philox keys per block, sign-average with ties broken by a fair Philox coin), but one block at a time, so analyses
/// can read prefix sums, traces and per-block costs. Block b of input i (global index) with one chain under seed s is
/// the chain the evaluator runs for that input and block.
/// </summary>
public sealed class BlockPipeline
{
    /// <summary>Index of the output layer in every compiled block ("input", "hidden", "output").</summary>
    public const int OutputLayer = 2;
    /// <summary>Index of the hidden layer in every compiled block.</summary>
    public const int HiddenLayer = 1;

    readonly GibbsSampler[] samplers;

    /// <summary>The network.</summary>
    public IsingBlockNet Net { get; }
    /// <summary>The compiled programs, one per block.</summary>
    public IReadOnlyList<IsingProgram> Programs { get; }
    /// <summary>Free (sampled) spins n_b of each block.</summary>
    public long[] FreeSpins { get; }

    /// <summary>Compiles <paramref name="net"/>; <paramref name="samplerFactory"/> defaults to the evaluator's choice.</summary>
    public BlockPipeline(IsingBlockNet net, Func<IsingProgram, GibbsSampler>? samplerFactory = null)
    {
        Net = net;
        Programs = BlockCompiler.Compile(net);
        samplerFactory ??= p => GibbsSampler.Create(p);
        samplers = Programs.Select(samplerFactory).ToArray();
        FreeSpins = Programs.Select(p => (long)(p.SpinCount - p.InputSpinCount)).ToArray();
    }

    /// <summary>Number of blocks.</summary>
    public int Blocks => Programs.Count;
    /// <summary>Number of classes.</summary>
    public int Classes => Net.Classes;
    /// <summary>Output spins per class in the last block.</summary>
    public int Population => Net.Population;
    /// <summary>The sampler of block b.</summary>
    public GibbsSampler Sampler(int block) => samplers[block];
    /// <summary>Input spins of block b (per input).</summary>
    public int InputWidth(int block) => Programs[block].InputSpinCount;
    /// <summary>Output spins of block b (per input).</summary>
    public int OutputSize(int block) => Programs[block].Layers[OutputLayer].Size;

    /// <summary>The Philox seed of block b's request, as <see cref="BlockGibbsEvaluator"/> derives it.</summary>
    public static ulong BlockSeed(ulong seed, int block) => Philox.Stream(seed, (ulong)block, 0xB10C);

    /// <summary>The first block's ±1 inputs for images with pixels in [0, 1] ([N, C, H, W]), row-major [N, width].</summary>
    public sbyte[] InputSpins(Tensor images)
    {
        var x = Net.Binarize(images);
        var s = new sbyte[x.Length];
        for (int i = 0; i < s.Length; i++) s[i] = x.Data[i] > 0 ? (sbyte)1 : (sbyte)-1;
        return s;
    }

    /// <summary>The first block's ±1 inputs for byte images (pixel/255 against the binarisation threshold).</summary>
    public sbyte[] InputSpins(ReadOnlySpan<byte> pixels) => Net.EncodeSpins(pixels);

    /// <summary>
    /// Runs block <paramref name="block"/> on <paramref name="count"/> input rows (global indices from
    /// <paramref name="firstIndex"/>) for burn-in + max(checkpoints) sweeps, keeping prefix sums of the output layer.
    /// </summary>
    public PrefixSumObserver RunPrefix(int block, sbyte[] inputs, int count, long firstIndex, int chains, int burnIn, int[] checkpoints, ulong seed, params Observer[] more)
    {
        var observer = new PrefixSumObserver(OutputLayer, checkpoints);
        var request = new SamplingRequest(new InputBatch(inputs, count, InputWidth(block), firstIndex), chains, new Schedule(burnIn, checkpoints[^1]), BlockSeed(seed, block));
        samplers[block].Run(request, [observer, .. more]);
        return observer;
    }

    /// <summary>
    /// sign(Σ over chains of the prefix sums) of every input, [count, outputs]: the next block's inputs. A tie (even G) is
    /// broken by the evaluator's fair coin, keyed by (seed, block, global example index, spin).
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

    /// <summary>The evaluator's tie-breaking coin for spin <paramref name="spin"/> of block <paramref name="block"/>'s output on an example.</summary>
    public static bool TieBreak(ulong seed, int block, long example, int spin) =>
        Philox.Uniform(seed, Philox.Stream((ulong)block, (ulong)example, 0x71E), (ulong)spin) < 0.5f;

    /// <summary>
    /// Class scores of input <paramref name="slot"/> from last-block prefix sums, computed in the evaluator's float
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

    /// <summary>The predicted class: the first index of the largest score (as the evaluator's arg-max).</summary>
    public static int ArgMax(ReadOnlySpan<double> scores)
    {
        int best = 0;
        for (int k = 1; k < scores.Length; k++) if (scores[k] > scores[best]) best = k;
        return best;
    }
}
