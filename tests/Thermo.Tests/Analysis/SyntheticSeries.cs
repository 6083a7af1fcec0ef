using Thermo.Randomness;

namespace Thermo.Tests.Analysis;

/// <summary>Synthetic sequences with known autocorrelation for estimator tests.</summary>
internal static class SyntheticSeries
{
    /// <summary>
    /// <paramref name="chains"/> stationary AR(1) chains x(s) = ρ x(s−1) + √(1−ρ²) ε(s), x(0) ~ N(0, 1): unit variance,
    /// autocorrelation ρ^t, τ_int = (1 + ρ)/(1 − ρ). Chains stored back to back.
    /// </summary>
    public static double[] Ar1(double rho, int chains, int length, ulong seed)
    {
        var x = new double[chains * length];
        var eps = new float[(length + 3) & ~3];
        double s = Math.Sqrt(1 - rho * rho);
        for (int c = 0; c < chains; c++)
        {
            Philox.FillNormal(seed, (ulong)c, 0, eps);
            double v = eps[0];
            x[c * length] = v;
            for (int t = 1; t < length; t++) x[c * length + t] = v = rho * v + s * eps[t];
        }
        return x;
    }

    /// <summary>τ_int = (1 + ρ)/(1 − ρ) of an AR(1) sequence.</summary>
    public static double Ar1Tau(double rho) => (1 + rho) / (1 - rho);
}
