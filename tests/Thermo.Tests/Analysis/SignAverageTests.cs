using Thermo.Analysis;

namespace Thermo.Tests.Analysis;

public class SignAverageTests
{
    static double BruteForce(double m, int g)
    {
        double p = (1 + m) / 2, sum = 0;
        for (int plus = 0; plus <= g; plus++)
            if (2 * plus - g >= 0) sum += (2 * plus == g ? 0.5 : 1) * Math.Exp(SpecialFunctions.LogChoose(g, plus)) * Math.Pow(p, plus) * Math.Pow(1 - p, g - plus);
        return sum;
    }

    [Fact]
    public void Plus_probability_is_the_binomial_tail_with_fair_ties()
    {
        foreach (int g in new[] { 1, 2, 3, 4, 7, 8, 31, 64 })
            foreach (double m in new[] { -0.9, -0.3, 0, 0.05, 0.5, 0.99 })
                Assert.Equal(BruteForce(m, g), SignAverage.PlusProbability(m, g), 10);
        Assert.Equal(0.5, SignAverage.PlusProbability(0, 2), 12);    // a tie at G = 2 is a fair coin
        Assert.Equal(0.5 + 0.5 * 0.1, SignAverage.PlusProbability(0.1, 2), 12);
        Assert.Equal(0.5, SignAverage.PlusProbability(0, 3), 12);
        Assert.Equal(SignAverage.PlusProbability(0.37, 9), SignAverage.Table(9).At(0.37), 6);
    }

    [Fact]
    public void Hypergeometric_estimate_is_unbiased_for_the_binomial_tail()
    {
        // E over Binomial(n, p) pilot counts of the subset estimate equals the tail at G ≤ n.
        const int n = 12;
        foreach (int g in new[] { 1, 2, 5, 8, 12 })
            foreach (double m in new[] { -0.4, 0.1, 0.6 })
            {
                double p = (1 + m) / 2, expect = 0;
                for (int plus = 0; plus <= n; plus++)
                    expect += Math.Exp(SpecialFunctions.LogChoose(n, plus)) * Math.Pow(p, plus) * Math.Pow(1 - p, n - plus) * SignAverage.PlusProbabilityFromCounts(plus, n, g);
                Assert.Equal(SignAverage.PlusProbability(m, g), expect, 10);
            }
    }

    [Fact]
    public void Posterior_tail_approaches_the_plug_in_tail_for_long_pilots_and_is_symmetric()
    {
        Assert.Equal(SignAverage.PlusProbability(0.2, 25), SignAverage.PlusProbabilityPosterior(6000, 10000, 25, 0.5, 0.5), 2);
        Assert.Equal(1 - SignAverage.PlusProbabilityPosterior(20, 64, 129, 0.5, 0.5), SignAverage.PlusProbabilityPosterior(44, 64, 129, 0.5, 0.5), 6);
        Assert.Equal(0.5, SignAverage.PlusProbabilityPosterior(32, 64, 1025, 0.5, 0.5), 6);
    }

    [Fact]
    public void Incomplete_beta_matches_known_values()
    {
        Assert.Equal(0.5, SpecialFunctions.IncompleteBeta(3, 3, 0.5), 12);
        Assert.Equal(1 - Math.Pow(0.7, 4), SpecialFunctions.IncompleteBeta(1, 4, 0.3), 12);   // I_x(1, b) = 1 − (1 − x)^b
        Assert.Equal(Math.Log(24), SpecialFunctions.LogGamma(5), 12);
        Assert.Equal(0.5 * Math.Log(Math.PI), SpecialFunctions.LogGamma(0.5), 12);
    }
}
