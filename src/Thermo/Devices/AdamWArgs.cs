namespace Thermo.Devices;

/// <summary>
/// The scalars of one AdamW step as the CPU optimiser <c>AdamW</c> computes them on the host: β₁, β₂, 1 − β₁, 1 − β₂,
/// lr·c₁ with c₁ = 1/(1 − β₁ᵗ), c₂ = 1/(1 − β₂ᵗ), ε and the decay factor 1 − lr·λ.
/// </summary>
internal struct AdamWArgs
{
    public float Beta1, Beta2, OneMinusBeta1, OneMinusBeta2, LrC1, C2, Eps, Decay;
}
