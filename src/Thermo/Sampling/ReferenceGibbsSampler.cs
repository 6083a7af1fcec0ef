using Thermo.Ising;
using Thermo.Randomness;

namespace Thermo.Sampling;

/// <summary>
/// The plain, obviously-correct sampler: one sbyte per spin in global order, and for every free spin of
/// each colour u_i = h_i + Σ_j J_ij s_j summed over <see cref="IsingProgram.Graph"/> in ascending j, then
/// <see cref="GibbsRule.Update"/> with its own Philox word. Works for every program; every fast path is
/// tested against it.
/// </summary>
public sealed class ReferenceGibbsSampler(IsingProgram program) : GibbsSampler(program)
{
    /// <inheritdoc/>
    public override string Representation => "reference";

    /// <inheritdoc/>
    protected override ChainRunner CreateRunner() => new Runner(Program);

    sealed class Runner : ChainRunner
    {
        readonly IsingProgram program;
        readonly CouplingGraph graph;
        readonly Colouring colouring;
        readonly sbyte[] spins;
        readonly int[] inputSpins;
        long input;
        int chain;
        ulong seed;

        public Runner(IsingProgram program)
        {
            this.program = program;
            graph = program.Graph;
            colouring = program.Colouring;
            spins = new sbyte[program.SpinCount];
            var mask = program.InputMask();
            inputSpins = Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();
        }

        public override void Reset(long input, int chain, ReadOnlySpan<sbyte> inputValues, ulong seed)
        {
            this.input = input; this.chain = chain; this.seed = seed;
            ulong stream = GibbsRule.Stream(input, chain, -1);
            for (int i = 0; i < spins.Length; i++) spins[i] = GibbsRule.Initial(PhiloxVector.Word(seed, stream, (ulong)i));
            for (int k = 0; k < inputSpins.Length; k++) spins[inputSpins[k]] = inputValues[k];
            for (int k = 0; k < program.PinnedSpins.Length; k++) spins[program.PinnedSpins[k]] = program.PinnedValues[k];
        }

        public override void Sweep(int sweep, float beta)
        {
            ulong stream = GibbsRule.Stream(input, chain, sweep);
            for (int c = 0; c < colouring.Count; c++)
                foreach (int i in colouring.Spins(c))
                    spins[i] = GibbsRule.Update(graph.LocalField(spins, i), beta, PhiloxVector.Word(seed, stream, (ulong)i));
        }

        public override void ReadLayer(int layer, Span<sbyte> destination) =>
            spins.AsSpan(program.LayerOffsets[layer], program.Layers[layer].Size).CopyTo(destination);
    }
}
