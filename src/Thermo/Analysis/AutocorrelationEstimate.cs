namespace Thermo.Analysis;

/// <summary>
/// The autocorrelation of one observable estimated from several independent chains of equal length n.
/// Convention: τ_int = 1 + 2 Σ_{t=1}^{M} ρ(t), so τ_int = 1 for independent samples and the mean of N
/// correlated samples has variance σ²·τ_int/N (Sokal's τ is τ_int/2, with variance σ²·2τ/N).
/// </summary>
/// <param name="Mean">Grand mean over all chains and times.</param>
/// <param name="Variance">σ² = Γ(0): the (chain-centred) per-sample variance averaged over chains.</param>
/// <param name="Rho">Normalised autocorrelation ρ(t) = Γ(t)/Γ(0) for t = 0…(computed lags), averaged over chains.</param>
/// <param name="Tau">Integrated autocorrelation time τ_int at the self-consistent window.</param>
/// <param name="Window">Sokal's window M: the smallest M with M ≥ c·τ_int(M).</param>
/// <param name="Samples">Total samples N = chains × n.</param>
/// <param name="Chains">Number of chains.</param>
/// <param name="WindowFound">False when no lag satisfied the window condition (τ is then a lower bound: the series is too short).
/// With per-chain centring τ_int(M) always falls to 0 at M = n − 1, so check <see cref="Reliable"/> too.</param>
public sealed record AutocorrelationEstimate(double Mean, double Variance, double[] Rho, double Tau, int Window, long Samples, int Chains, bool WindowFound)
{
    /// <summary>Standard error of τ_int: τ·√(2(2M + 1)/N) (Priestley; Sokal 1997, eq. 3.19).</summary>
    public double TauStandardError => Tau * Math.Sqrt(2.0 * (2 * Window + 1) / Samples);

    /// <summary>Effective sample size N/τ_int.</summary>
    public double EffectiveSamples => Samples / Tau;

    /// <summary>Standard error of the grand mean, √(σ²·τ_int/N).</summary>
    public double StandardError => Math.Sqrt(Variance * Tau / Samples);

    /// <summary>Samples per chain n.</summary>
    public int ChainLength { get; init; }

    /// <summary>Whether the chains were centred on the grand mean instead of their own means.</summary>
    public bool PooledMean { get; init; }

    /// <summary>Relative bias of τ̂ from centring each chain on its own mean, about −(2M + 1)/n (0 with a pooled mean).</summary>
    public double CentringBias => PooledMean || ChainLength == 0 ? 0 : -(2.0 * Window + 1) / ChainLength;

    /// <summary>Window found and centring bias under 10%: chains are long enough for τ̂ to be trusted.</summary>
    public bool Reliable => WindowFound && CentringBias > -0.1;
}
