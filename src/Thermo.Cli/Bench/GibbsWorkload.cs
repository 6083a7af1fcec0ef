using Thermo.Sampling;
using Thermo.Tensors;

namespace Thermo.Cli.Bench;

/// <summary>
/// The peer's <c>gibbs</c> (see <see cref="GibbsBenchmark"/>): 256 chains of the 1×28×28 → 32×14×14 → 64×7×7 → 10
/// Ising network, 20 red-black sweeps per call, 3 timed calls after 1 warm-up. <c>spin_updates_per_second</c> is
/// the float32 multiply-add sampler (the peer's representation); the faithful faster representations (same
/// Markov chain, float32 couplings) are reported beside it under their names.
/// </summary>
public sealed class GibbsWorkload : IBenchWorkload
{
    /// <inheritdoc/>
    public string Name => "gibbs";
    /// <inheritdoc/>
    public string Description => "block Gibbs sweeps of a conv Ising network, 256 chains (metric: spin_updates_per_second)";

    /// <inheritdoc/>
    public BenchResult Run()
    {
        var program = GibbsBenchmark.Network();
        var inputs = GibbsBenchmark.Inputs();
        double updates = (double)GibbsBenchmark.SpinsPerChain * GibbsBenchmark.Chains * GibbsBenchmark.Sweeps;
        double Rate(SamplerKind kind)
        {
            var sampler = GibbsSampler.Create(program, kind);
            int output = program.Layers.Count - 1;
            ulong seed = 1;
            var request = new SamplingRequest(inputs, 1, new Schedule(0, GibbsBenchmark.Sweeps), seed);
            // One call = 20 sweeps of every chain, accumulating the output spins every sweep like the peer.
            double seconds = BenchWorkloads.Timed(() => sampler.Run(request with { Seed = seed++ }, new SignAverageObserver(output)), GibbsBenchmark.Repeats);
            return updates / seconds;
        }
        double float32 = Rate(SamplerKind.Float32);
        double table = Rate(SamplerKind.Table);
        double incremental = Rate(SamplerKind.Incremental);
        var (fastestName, fastest) = table >= incremental ? ("float32-table", table) : ("float32-incremental", incremental);
        return new BenchResult(Name, "spin_updates_per_second", "spin updates/s")
            .Add("chains", GibbsBenchmark.Chains)
            .Add("sweeps", GibbsBenchmark.Sweeps)
            .Add("spin_updates_per_second", float32)
            .Add("sweeps_per_second", float32 / GibbsBenchmark.SpinsPerChain / GibbsBenchmark.Chains)
            .Add("representation", "float32")
            .Add("couplings", "float32")
            .Add("spin_updates_per_second_float32_table", table)
            .Add("spin_updates_per_second_float32_incremental", incremental)
            .Add("fastest_faithful", fastestName)
            .Add("fastest_faithful_spin_updates_per_second", fastest)
            .Add("threads", ParallelRange.Threads);
    }
}
