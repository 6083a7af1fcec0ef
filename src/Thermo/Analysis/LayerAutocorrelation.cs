namespace Thermo.Analysis;

/// <summary>
/// Autocorrelation of the spins of one layer (or of linear read-outs of them) measured per input over several chains.
/// The pooled estimate combines the layer: ρ̄(t) = Σ_i Γ_i(t) / Σ_i Γ_i(0) over spins and inputs, so Σ_i Var(m̄_i) ≈
/// Σ_i σ_i²·τ_pooled/G is the total readout noise of time averages over G samples.
/// </summary>
/// <param name="Pooled">Variance-weighted autocorrelation and τ_int of the layer.</param>
/// <param name="SpinTaus">τ_int of every spin that fluctuates (σ² &gt; 0), per input, flattened.</param>
/// <param name="FrozenFraction">Fraction of (input, spin) pairs that never changed in any chain.</param>
/// <param name="Groups">Autocorrelation of each group sum (e.g. class scores), pooled over inputs; empty without groups.</param>
public sealed record LayerAutocorrelation(AutocorrelationEstimate Pooled, double[] SpinTaus, double FrozenFraction, AutocorrelationEstimate[] Groups)
{
    /// <summary>Quantile q of the per-spin τ_int (NaN when no spin fluctuates).</summary>
    public double SpinTauQuantile(double q)
    {
        if (SpinTaus.Length == 0) return double.NaN;
        var s = (double[])SpinTaus.Clone();
        Array.Sort(s);
        return s[Math.Clamp((int)Math.Round(q * (s.Length - 1)), 0, s.Length - 1)];
    }

    /// <summary>Mean per-spin τ_int.</summary>
    public double SpinTauMean => SpinTaus.Length == 0 ? double.NaN : SpinTaus.Average();
}
