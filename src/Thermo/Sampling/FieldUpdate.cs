namespace Thermo.Sampling;

/// <summary>How the layered sampler keeps local fields current.</summary>
public enum FieldUpdate
{
    /// <summary>Recompute every field of a layer from all its neighbours before each update (dense float32 kernels).</summary>
    Full,
    /// <summary>
    /// Keep fields between updates and add only the change from neighbour spins that flipped,
    /// Δu_i = J_ij·2s_j; fall back to a full recompute when that is cheaper, and every
    /// <see cref="LayeredGibbsSampler.RefreshInterval"/> sweeps to stop rounding drift. Same Markov chain;
    /// fields differ from <see cref="Full"/> only by float summation order (not at all for integer couplings).
    /// </summary>
    Incremental,
}
