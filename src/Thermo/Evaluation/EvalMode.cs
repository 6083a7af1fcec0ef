namespace Thermo.Evaluation;

/// <summary>How a trained model is evaluated.</summary>
public enum EvalMode
{
    /// <summary>Deterministic forward pass (digital networks; the noise-free surrogate of block networks).</summary>
    Forward,
    /// <summary>Block networks: the noise-free mean-field surrogate (same as forward for them).</summary>
    MeanField,
    /// <summary>Block networks: compiled Ising programs run by real Gibbs sampling.</summary>
    Gibbs,
}
