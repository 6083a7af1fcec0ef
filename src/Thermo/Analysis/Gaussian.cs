namespace Thermo.Analysis;

/// <summary>Standard normal distribution: Φ(x), its inverse, and Student-t quantiles.</summary>
public static class Gaussian
{
    /// <summary>Φ(x) = ½ erfc(−x/√2) (relative error below 1.2e-7 from <see cref="Erfc"/>).</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>Φ⁻¹(p) for p in (0, 1) (Acklam's rational approximation, relative error 1.2e-9).</summary>
    public static double Quantile(double p)
    {
        if (!(p > 0 && p < 1)) return p <= 0 ? double.NegativeInfinity : double.PositiveInfinity;
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -Quantile(1 - p);
        double u = p - 0.5, r = u * u;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * u / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    /// <summary>
    /// Upper quantile t_ν(1 − q) of Student's t with ν degrees of freedom (Cornish–Fisher expansion around the normal
    /// quantile to O(ν⁻³); within 1% of the exact value for ν ≥ 3 and q ≥ 1e-6).
    /// </summary>
    public static double StudentQuantile(double upperTail, double nu)
    {
        double z = Quantile(1 - upperTail);
        if (double.IsInfinity(nu)) return z;
        double z2 = z * z;
        double g1 = (z2 + 1) * z / 4, g2 = ((5 * z2 + 16) * z2 + 3) * z / 96, g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
        return z + g1 / nu + g2 / (nu * nu) + g3 / (nu * nu * nu);
    }
}
