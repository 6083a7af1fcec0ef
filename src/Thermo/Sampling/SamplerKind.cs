namespace Thermo.Sampling;

/// <summary>Which Gibbs sampler <see cref="GibbsSampler.Create"/> builds. All run the same Markov chain.</summary>
public enum SamplerKind
{
    /// <summary>The fastest one that supports the program (currently <see cref="Incremental"/> for layered programs, else <see cref="Reference"/>).</summary>
    Fastest,
    /// <summary><see cref="ReferenceGibbsSampler"/>: plain per-spin sums over the coupling graph; any program.</summary>
    Reference,
    /// <summary><see cref="LayeredGibbsSampler"/> with <see cref="FieldUpdate.Full"/>: float32 multiply-adds.</summary>
    Float32,
    /// <summary><see cref="LayeredGibbsSampler"/> with <see cref="FieldUpdate.Table"/>: sign-pattern tables.</summary>
    Table,
    /// <summary><see cref="LayeredGibbsSampler"/> with <see cref="FieldUpdate.Incremental"/>: flip-driven updates plus tables.</summary>
    Incremental,
}
