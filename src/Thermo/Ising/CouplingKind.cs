namespace Thermo.Ising;

/// <summary>How a coupling block is stored.</summary>
public enum CouplingKind
{
    /// <summary>Every spin of the lower layer with every spin of the upper layer: a weight matrix.</summary>
    Dense,
    /// <summary>Weight-tied local couplings: the upper layer is a 2-D convolution of the lower layer.</summary>
    Conv,
    /// <summary>An explicit list of pairs (i, j, J_ij) between any spins of the program.</summary>
    Sparse,
}
