namespace Thermo.Analysis;

/// <summary>A fitted large-G law acc(G) = acc(∞) − K·G^(−γ) (γ = 1 gives the readout-noise law acc(∞) − C·τ_int/G with C = K/τ_int).</summary>
/// <param name="Asymptote">acc(∞).</param>
/// <param name="K">Coefficient K.</param>
/// <param name="Gamma">Exponent γ.</param>
/// <param name="Rms">Root-mean-square residual of the fitted points.</param>
/// <param name="Points">Points used (G ≥ the fit's minimum).</param>
public sealed record AccuracyLaw(double Asymptote, double K, double Gamma, double Rms, int Points)
{
    /// <summary>The law at G.</summary>
    public double At(double g) => Asymptote - K * Math.Pow(g, -Gamma);

    /// <summary>C in acc(∞) − C·τ/G for γ = 1.</summary>
    public double C(double tau) => K / tau;

    /// <summary>Weighted least squares of acc = a − K·G^(−γ) at fixed γ over points with G ≥ <paramref name="minG"/> (weights 1/se², or 1).</summary>
    public static AccuracyLaw Fit(IReadOnlyList<double> g, IReadOnlyList<double> acc, IReadOnlyList<double>? se, double gamma, double minG)
    {
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int i = 0; i < g.Count; i++)
        {
            if (g[i] < minG) continue;
            double w = se is not null && se[i] > 0 ? 1 / (se[i] * se[i]) : 1, x = Math.Pow(g[i], -gamma);
            sw += w; sx += w * x; sy += w * acc[i]; sxx += w * x * x; sxy += w * x * acc[i]; n++;
        }
        if (n < 2) throw new ArgumentException($"need at least 2 points with G ≥ {minG} to fit the law");
        double det = sw * sxx - sx * sx;
        double slope = det != 0 ? (sw * sxy - sx * sy) / det : 0, a = (sy - slope * sx) / sw;
        double rss = 0;
        for (int i = 0; i < g.Count; i++)
            if (g[i] >= minG) { double r = acc[i] - (a + slope * Math.Pow(g[i], -gamma)); rss += r * r; }
        return new AccuracyLaw(a, -slope, gamma, Math.Sqrt(rss / n), n);
    }

    /// <summary>The exponent γ ∈ [0.25, 2] (steps of 0.05) with the smallest residual, and its fit.</summary>
    public static AccuracyLaw FitExponent(IReadOnlyList<double> g, IReadOnlyList<double> acc, IReadOnlyList<double>? se, double minG)
    {
        AccuracyLaw? best = null;
        for (double gamma = 0.25; gamma <= 2.0001; gamma += 0.05)
        {
            var f = Fit(g, acc, se, gamma, minG);
            if (best is null || f.Rms < best.Rms) best = f;
        }
        return best!;
    }
}
