namespace Thermo.Sampling;

/// <summary>How the layered sampler keeps local fields current.</summary>
public enum FieldUpdate
{
    /// <summary>Recompute every field of a layer from all its neighbours before each update (dense float32 kernels).</summary>
    Full,
    /// <summary>
    /// Keep fields between updates and add only the change from neighbour spins that flipped,
    /// Δu_i = J_ij·2s_j; recompute in full (as <see cref="Table"/>) when that is cheaper — at high flip rates —
    /// and every <see cref="LayeredGibbsSampler.RefreshInterval"/> sweeps to stop rounding drift. Pays off when
    /// few spins flip per sweep (low temperature, strongly driven layers). Same Markov chain; fields differ
    /// from <see cref="Full"/> only by float summation order (not at all for integer couplings).
    /// </summary>
    Incremental,
    /// <summary>
    /// Recompute every field like <see cref="Full"/>, but with spins packed four to a byte and precomputed
    /// signed sums of each group of four couplings (sign-pattern tables): one add replaces four multiply-adds.
    /// Same Markov chain; fields differ from <see cref="Full"/> only by float summation order.
    /// </summary>
    Table,
}
