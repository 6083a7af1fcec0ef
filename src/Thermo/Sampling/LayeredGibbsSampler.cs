using Thermo.Ising;
using Thermo.Randomness;

namespace Thermo.Sampling;

/// <summary>
/// Fast float32 block Gibbs sampler for layered programs (layer-parity colouring, dense and convolutional
/// couplings): spins and fields channels-last in 16-wide vectors, fields from fused gather kernels
/// (convolution, its transpose by stride phase, dense), new spins from a fused threshold that draws the
/// layer's Philox words 16 blocks at a time. The chain is the reference sampler's: same colours, same random
/// number for every (input, chain, sweep, spin), same <see cref="GibbsRule"/>; only the summation order of
/// the fields differs (so results are identical whenever the fields are exact, e.g. integer couplings).
/// </summary>
public sealed class LayeredGibbsSampler : GibbsSampler
{
    /// <summary>Sweeps between full field recomputations in <see cref="FieldUpdate.Incremental"/> mode.</summary>
    public const int RefreshInterval = 32;

    /// <summary>Incremental updates are used while their estimated cost, times this factor, stays below a full recompute.</summary>
    internal const double IncrementalOverhead = 2.5;

    internal LayeredPlan Plan { get; }

    /// <summary>How fields are kept current.</summary>
    public FieldUpdate Update { get; }

    /// <summary>Prepares the sampler; throws <see cref="NotSupportedException"/> for programs that are not layered.</summary>
    public LayeredGibbsSampler(IsingProgram program, FieldUpdate update = FieldUpdate.Full) : base(program)
    {
        Plan = new LayeredPlan(program);
        Update = update;
    }

    /// <summary>Whether <paramref name="program"/> can run here (otherwise <paramref name="reason"/> says why).</summary>
    public static bool Supports(IsingProgram program, out string? reason) => (reason = LayeredPlan.Unsupported(program)) is null;

    /// <inheritdoc/>
    public override string Representation => Update == FieldUpdate.Full ? "float32" : "float32-incremental";

    /// <inheritdoc/>
    protected override ChainRunner CreateRunner() => new Runner(this);

    sealed unsafe class Runner : ChainRunner
    {
        readonly LayeredPlan plan;
        readonly bool incremental;
        readonly LayerLayout[] layouts;
        readonly float[][] spins, field, constant;
        readonly ulong[][] flips;
        readonly int[] flipCount;
        readonly uint[] words, wordsT;
        readonly int[] inputLayers, freeLayers;
        long cachedInput = -1, input;
        int chain;
        ulong seed;

        public Runner(LayeredGibbsSampler sampler)
        {
            plan = sampler.Plan;
            incremental = sampler.Update == FieldUpdate.Incremental;
            layouts = plan.Layouts;
            int n = layouts.Length;
            spins = new float[n][]; field = new float[n][]; constant = new float[n][]; flips = new ulong[n][];
            flipCount = new int[n];
            int maxWords = 0;
            for (int l = 0; l < n; l++)
            {
                var lay = layouts[l];
                spins[l] = new float[lay.SpinLength];
                if (lay.IsInput) continue;
                field[l] = new float[lay.FieldLength];
                constant[l] = new float[lay.FieldLength];
                flips[l] = new ulong[lay.SpinLength / 64 + 2];
                maxWords = Math.Max(maxWords, lay.Cp * lay.H * lay.W);
            }
            words = new uint[maxWords];
            wordsT = new uint[maxWords];
            inputLayers = Enumerable.Range(0, n).Where(l => layouts[l].IsInput).ToArray();
            freeLayers = Enumerable.Range(0, n).Where(l => !layouts[l].IsInput).ToArray();
        }

        public override void Reset(long input, int chain, ReadOnlySpan<sbyte> inputSpins, ulong seed)
        {
            this.input = input; this.chain = chain; this.seed = seed;
            if (input != cachedInput || inputLayers.Length == 0)
            {
                int k = 0;
                foreach (int l in inputLayers)
                {
                    var lay = layouts[l];
                    for (int c = 0; c < lay.C; c++)
                        for (int y = 0; y < lay.H; y++)
                            for (int x = 0; x < lay.W; x++) spins[l][lay.SpinIndex(c, y, x)] = inputSpins[k + lay.Canonical(c, y, x)];
                    k += lay.Size;
                }
                foreach (int l in freeLayers)
                {
                    var cst = constant[l];
                    if (plan.Bias[l] is { } b) b.CopyTo(cst, 0); else Array.Clear(cst);
                    fixed (float* f = cst)
                        foreach (var op in plan.ConstantOps[l])
                            fixed (float* s = spins[op.Source]) SpinKernels.Apply(op, s, f);
                }
                cachedInput = input;
            }
            ulong stream = GibbsRule.Stream(input, chain, -1);
            foreach (int l in freeLayers)
            {
                var lay = layouts[l];
                PhiloxVector.FillWords(seed, stream, (ulong)lay.Offset, words.AsSpan(0, lay.Size));
                var s = spins[l];
                for (int c = 0; c < lay.C; c++)
                    for (int y = 0; y < lay.H; y++)
                        for (int x = 0; x < lay.W; x++) s[lay.SpinIndex(c, y, x)] = GibbsRule.Initial(words[lay.Canonical(c, y, x)]);
                for (int p = 0; p < lay.PinnedInternal.Length; p++) s[lay.PinnedInternal[p]] = lay.PinnedValues[p];
            }
            if (incremental)
                foreach (int l in freeLayers) { FullField(l); Array.Clear(flips[l]); flipCount[l] = 0; }
        }

        void FullField(int l)
        {
            constant[l].CopyTo(field[l], 0);
            fixed (float* f = field[l])
                foreach (var op in plan.VariableOps[l])
                    fixed (float* s = spins[op.Source]) SpinKernels.Apply(op, s, f);
        }

        bool PreferFull(int l)
        {
            double full = 0, part = 0;
            foreach (var op in plan.VariableOps[l])
            {
                full += op.FullCost;
                part += (double)op.FullCost * flipCount[op.Source] / layouts[op.Source].Size;
            }
            return part * IncrementalOverhead >= full;
        }

        public override void Sweep(int sweep, float beta)
        {
            ulong stream = GibbsRule.Stream(input, chain, sweep);
            bool refresh = incremental && sweep % RefreshInterval == RefreshInterval - 1;
            foreach (var colour in plan.ColourLayers)
                foreach (int l in colour)
                {
                    var lay = layouts[l];
                    if (!incremental || refresh || PreferFull(l)) FullField(l);
                    else
                        fixed (float* f = field[l])
                            foreach (var op in plan.VariableOps[l])
                                if (flipCount[op.Source] > 0)
                                    fixed (float* s = spins[op.Source]) fixed (ulong* fl = flips[op.Source]) SpinKernels.ApplyFlips(op, s, fl, f);
                    PhiloxVector.FillWords(seed, stream, (ulong)lay.Offset, words.AsSpan(0, lay.Size));
                    fixed (float* f = field[l]) fixed (float* s = spins[l]) fixed (uint* w = words, wt = wordsT) fixed (ulong* fl = flips[l])
                    {
                        SpinKernels.ChannelsLast(lay, w, wt);
                        flipCount[l] = SpinKernels.Threshold(lay, f, s, wt, beta, incremental ? fl : null);
                        for (int p = 0; p < lay.PinnedInternal.Length; p++)
                        {
                            int i = lay.PinnedInternal[p];
                            s[i] = lay.PinnedValues[p];
                            if (incremental && (fl[i >> 6] & (1UL << i)) != 0) { fl[i >> 6] &= ~(1UL << i); flipCount[l]--; }
                        }
                    }
                }
        }

        public override void ReadLayer(int layer, Span<sbyte> destination)
        {
            var lay = layouts[layer];
            var s = spins[layer];
            for (int c = 0; c < lay.C; c++)
                for (int y = 0; y < lay.H; y++)
                    for (int x = 0; x < lay.W; x++) destination[lay.Canonical(c, y, x)] = (sbyte)s[lay.SpinIndex(c, y, x)];
        }
    }
}
