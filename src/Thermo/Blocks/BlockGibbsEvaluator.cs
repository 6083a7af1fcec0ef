using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;
using Thermo.Tensors;

namespace Thermo.Blocks;

/// <summary>Result of running an <see cref="IsingBlockNet"/> by Gibbs sampling on a set of inputs.</summary>
/// <param name="Scores">Class scores [N, classes]: population means of the last block's time averages.</param>
/// <param name="BlockOutputs">Per block, the readout (time average over samples and chains) of every input, row-major [N × spins].</param>
/// <param name="SpinUpdates">Spin updates spent per block (free spins × sweeps × chains × inputs).</param>
public sealed record BlockGibbsResult(float[] Scores, float[][] BlockOutputs, long[] SpinUpdates);

/// <summary>
/// Runs a trained <see cref="IsingBlockNet"/> the way hardware would: each block is compiled to an
/// <see cref="IsingProgram"/> and sampled by block Gibbs with feedback (no shortcut: the hidden layer feels the
/// output through δW₂ᵀ). Its output spins are averaged over G samples (and the chains), binarised and clamped
/// as the next block's input; the last block's averages give the class scores. An exact tie (possible for
/// even G) is broken by a fair coin keyed by (seed, block, example, spin): sending ties to +1 would bias
/// every undecided spin the same way, which training (continuous noise) never sees.
/// </summary>
public sealed class BlockGibbsEvaluator
{
    readonly CompiledBlockNet net;
    readonly IReadOnlyList<IsingProgram> programs;
    readonly Func<IsingProgram, GibbsSampler> samplerFactory;
    // One sampler per block, made on first use and reused for every batch: a sampler lays out its program's
    // couplings (megabytes for a wide block), which a new sampler per batch would redo and leave to the GC.
    GibbsSampler[]? samplers;

    /// <summary>Compiles the network; <paramref name="samplerFactory"/> picks the sampler (default: the fastest faithful one).</summary>
    public BlockGibbsEvaluator(IsingBlockNet net, Func<IsingProgram, GibbsSampler>? samplerFactory = null)
        : this(CompiledBlockNet.From(net, "network", null, [net.Blocks[0].InputShape[0] / net.Thresholds.Length, .. net.Blocks[0].InputShape[1..]],
            Data.Normalization.UnitRange, null), samplerFactory)
    {
    }

    /// <summary>Runs an already compiled network (for example one loaded by <see cref="CompiledBlockNetFile"/>).</summary>
    public BlockGibbsEvaluator(CompiledBlockNet net, Func<IsingProgram, GibbsSampler>? samplerFactory = null)
    {
        net.Validate();
        this.net = net;
        programs = net.Programs;
        this.samplerFactory = samplerFactory ?? DefaultSampler;
    }

    /// <summary>Number of classes.</summary>
    public int Classes => net.Classes;

    /// <summary>The compiled programs, one per block.</summary>
    public IReadOnlyList<IsingProgram> Programs => programs;

    static GibbsSampler DefaultSampler(IsingProgram p) => GibbsSampler.Create(p);

    /// <summary>
    /// Classifies <paramref name="images"/> (pixels in [0, 1]) with <paramref name="samplesPerBlock"/>[b] samples
    /// and <paramref name="burnIn"/> burn-in sweeps per block, <paramref name="chains"/> chains per input.
    /// <paramref name="firstIndex"/> is the dataset index of the first image: randomness is keyed by it, so any
    /// split of a dataset gives the same per-example results.
    /// </summary>
    public BlockGibbsResult Evaluate(Tensor images, int[] samplesPerBlock, int burnIn, int chains, ulong seed, long firstIndex = 0)
    {
        if (samplesPerBlock.Length != programs.Count) throw new ArgumentException($"need samples for each of the {programs.Count} blocks, got {samplesPerBlock.Length}");
        int n = images.Shape[0];
        var spins = IsingBlockNet.Encode(images, net.Thresholds);
        var current = new sbyte[spins.Length];
        for (int i = 0; i < current.Length; i++) current[i] = spins.Data[i] > 0 ? (sbyte)1 : (sbyte)-1;
        var outputs = new float[programs.Count][];
        var updates = new long[programs.Count];
        for (int b = 0; b < programs.Count; b++)
        {
            var program = programs[b];
            var batch = new InputBatch(current, n, program.InputSpinCount, firstIndex);
            var schedule = new Schedule(burnIn, samplesPerBlock[b]);
            var observer = new SignAverageObserver(2);
            var request = new SamplingRequest(batch, chains, schedule, Philox.Stream(seed, (ulong)b, 0xB10C));
            samplers ??= programs.Select(samplerFactory).ToArray();
            samplers[b].Run(request, observer);
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
            updates[b] = (long)(program.SpinCount - program.InputSpinCount) * schedule.TotalSweeps * chains * n;
            current = next;
        }
        int classes = net.Classes, pop = net.Population;
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

    static bool TieBreak(ulong seed, int block, long example, int spin) =>
        Philox.Uniform(seed, Philox.Stream((ulong)block, (ulong)example, 0x71E), (ulong)spin) < 0.5f;
}
