using Thermo.Blocks;

namespace Thermo.Analysis;

/// <summary>
/// Statistics of the sign-average σ = sign(Σ_{g&lt;G} s_g) of G samples of a ±1 spin, with a tie (even G) broken by a
/// fair coin as in <see cref="BlockPipeline"/>. For independent samples with mean m
/// (p = (1 + m)/2), P(σ = +1) = P(#plus &gt; G/2) + ½ P(#plus = G/2) = ½ [I_p(⌊G/2⌋ + 1, ⌈G/2⌉) + I_p(⌈G/2⌉, ⌊G/2⌋ + 1)]
/// (the two tails coincide for odd G). (An earlier evaluator sent ties to +1, a bias of order 1/√G towards +1 for
/// |m| ≪ 1/√G, 0.75 at G = 2 and m = 0; it cost the quickstart network about 30 points at G = 2.)
/// </summary>
public static class SignAverage
{
    /// <summary>P(σ = +1) for G i.i.d. samples with mean m (fair ties).</summary>
    public static double PlusProbability(double m, int g)
    {
        if (g < 1) throw new ArgumentException($"G must be ≥ 1, got {g}");
        double p = Math.Clamp((1 + m) / 2, 0, 1);
        return BinomialTail(p, g);
    }

    // P(#plus > G/2) + ½ P(#plus = G/2) for Binomial(G, p): the mean of the tails from ⌊G/2⌋ + 1 and ⌈G/2⌉.
    static double BinomialTail(double p, int g)
    {
        int strict = g / 2 + 1, weak = (g + 1) / 2;
        double a = SpecialFunctions.IncompleteBeta(strict, g - strict + 1, p);
        return strict == weak ? a : 0.5 * (a + SpecialFunctions.IncompleteBeta(weak, g - weak + 1, p));
    }

    /// <summary>
    /// Unbiased estimate of <see cref="PlusProbability"/> at G ≤ n from a pilot with <paramref name="plus"/> plus samples
    /// among <paramref name="n"/> (exchangeable) samples: the chance that G of them drawn without replacement give σ = +1
    /// (a U-statistic: the hypergeometric tail).
    /// </summary>
    public static double PlusProbabilityFromCounts(int plus, int n, int g)
    {
        if (g < 1 || g > n) throw new ArgumentException($"need 1 ≤ G ≤ n, got G = {g}, n = {n}");
        double logTotal = SpecialFunctions.LogChoose(n, g), sum = 0;
        for (int j = Math.Max(0, g - (n - plus)); j <= Math.Min(g, plus); j++)
        {
            if (2 * j < g) continue;
            double w = Math.Exp(SpecialFunctions.LogChoose(plus, j) + SpecialFunctions.LogChoose(n - plus, g - j) - logTotal);
            sum += 2 * j == g ? 0.5 * w : w;
        }
        return Math.Min(1, sum);
    }

    /// <summary>
    /// P(σ = +1) at any G given a pilot count under a Beta(a, b) prior on p: the posterior is Beta(a + plus, b + n − plus)
    /// and P(σ = +1) its expected binomial tail, by 24-point Gauss–Legendre quadrature over the posterior's bulk (mean ± 12 sd).
    /// </summary>
    public static double PlusProbabilityPosterior(int plus, int n, int g, double priorA, double priorB)
    {
        double a = priorA + plus, b = priorB + n - plus;
        double logNorm = SpecialFunctions.LogGamma(a + b) - SpecialFunctions.LogGamma(a) - SpecialFunctions.LogGamma(b);
        // Integrate over the posterior's bulk: mean ± 12 sd, clipped to [0, 1].
        double mu = a / (a + b), sd = Math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
        double lo = Math.Max(0, mu - 12 * sd), hi = Math.Min(1, mu + 12 * sd);
        double sum = 0, weight = 0;
        for (int i = 0; i < GaussLegendre.Length; i++)
        {
            double p = lo + 0.5 * (GaussLegendre[i].X + 1) * (hi - lo);
            double w = GaussLegendre[i].W * Math.Exp(logNorm + (a - 1) * Math.Log(p) + (b - 1) * Math.Log(1 - p));
            sum += w * BinomialTail(p, g);
            weight += w;
        }
        return weight > 0 ? sum / weight : PlusProbability((double)(2 * plus - n) / n, g);
    }

    /// <summary>P(σ = +1) as a function of m for one G, tabulated on 4097 points of m ∈ [−1, 1] (linear interpolation).</summary>
    public sealed class PlusTable
    {
        readonly double[] values;
        internal PlusTable(int g)
        {
            values = new double[4097];
            for (int i = 0; i < values.Length; i++) values[i] = PlusProbability(-1 + 2.0 * i / (values.Length - 1), g);
        }

        /// <summary>P(σ = +1) at magnetisation <paramref name="m"/>.</summary>
        public double At(double m)
        {
            double u = (Math.Clamp(m, -1, 1) + 1) * 0.5 * (values.Length - 1);
            int i = Math.Min((int)u, values.Length - 2);
            double f = u - i;
            return values[i] + f * (values[i + 1] - values[i]);
        }
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<int, PlusTable> Tables = new();

    /// <summary>The (cached) table of <see cref="PlusProbability"/> for <paramref name="g"/> samples.</summary>
    public static PlusTable Table(int g) => Tables.GetOrAdd(g, k => new PlusTable(k));

    static readonly (double X, double W)[] GaussLegendre = BuildGaussLegendre(24);

    static (double, double)[] BuildGaussLegendre(int n)
    {
        var r = new (double, double)[n];
        for (int i = 0; i < n; i++)
        {
            double x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            for (int it = 0; it < 100; it++)
            {
                double p0 = 1, p1 = 0;
                for (int j = 1; j <= n; j++) { double p2 = p1; p1 = p0; p0 = ((2 * j - 1) * x * p1 - (j - 1) * p2) / j; }
                double dp = n * (x * p0 - p1) / (x * x - 1);
                double dx = p0 / dp;
                x -= dx;
                if (Math.Abs(dx) < 1e-15) break;
            }
            double q0 = 1, q1 = 0;
            for (int j = 1; j <= n; j++) { double q2 = q1; q1 = q0; q0 = ((2 * j - 1) * x * q1 - (j - 1) * q2) / j; }
            double d = n * (x * q0 - q1) / (x * x - 1);
            r[i] = (x, 2 / ((1 - x * x) * d * d));   // weights over [−1, 1] sum to 2; halved with the p-map
        }
        return r;
    }
}
