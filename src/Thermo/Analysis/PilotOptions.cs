using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>Settings of the pilot run behind a <see cref="PilotModel"/>.</summary>
public sealed record PilotOptions
{
    /// <summary>Samples L₀ of the first block kept per example; sign-averages of G ≤ L₀ samples are drawn as random subsets of them.</summary>
    public int PoolSamples { get; init; } = 64;
    /// <summary>Independent chains of the first block per example; draw r uses chain r mod K (more chains, less pilot noise).</summary>
    public int PoolChains { get; init; } = 4;
    /// <summary>Samples L_B of the last block per drawn input; readouts of G_B ≤ L_B (+ unused burn-in) samples are exact, longer ones Gaussian.</summary>
    public int LastBlockSamples { get; init; } = 32;
    /// <summary>Burn-in sweeps of every pilot run; schedules must use it for the upstream blocks and at most it for the last block.</summary>
    public int BurnIn { get; init; } = 4;
    /// <summary>Independent draws R of the upstream sign-averages per example and upstream schedule.</summary>
    public int Draws { get; init; } = 8;
    /// <summary>
    /// How intermediate blocks (b ≥ 1, not last) respond to drawn inputs: false (default) runs them by Gibbs — each of
    /// <see cref="IntermediateRuns"/> drawn inputs gets a chain of <see cref="PoolSamples"/> samples whose windows feed the next
    /// block; true uses the mean-field surrogate with independent binomial signs (cheaper, biased).
    /// </summary>
    public bool MeanFieldIntermediate { get; init; }
    /// <summary>Drawn inputs of the second block per example and first-block G (each gets one Gibbs chain); the remaining draws are windows.</summary>
    public int IntermediateRuns { get; init; } = 2;
    /// <summary>Mean-field passes of intermediate blocks fed with random inputs.</summary>
    public int MeanFieldIterations { get; init; } = 4;
    /// <summary>Examples processed together.</summary>
    public int Batch { get; init; } = 16;
    /// <summary>
    /// Most bytes the pilot may keep for the last block's class-vote traces (one byte per upstream schedule × example × draw ×
    /// sweep × class); 0 (default) allows half of the memory available to the process. A larger pilot is refused before it starts.
    /// </summary>
    public long MaxTraceBytes { get; init; }
    /// <summary>Seed of the pilot (use one different from the measurement being predicted).</summary>
    public ulong Seed { get; init; } = StreamTag.PilotSeed;
}
