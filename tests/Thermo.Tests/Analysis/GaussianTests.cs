using Thermo.Analysis;

namespace Thermo.Tests.Analysis;

public class GaussianTests
{
    [Fact]
    public void Cdf_and_quantile_are_inverse_and_match_tabulated_values()
    {
        Assert.Equal(0.5, Gaussian.Cdf(0), 7);
        Assert.Equal(0.975002104851780, Gaussian.Cdf(1.96), 6);
        Assert.Equal(1.959963984540054, Gaussian.Quantile(0.975), 7);
        foreach (double p in new[] { 1e-8, 1e-4, 0.01, 0.3, 0.5, 0.9, 0.999 })
            Assert.Equal(p, Gaussian.Cdf(Gaussian.Quantile(p)), 1e-7 + 2e-6 * p);
    }

    [Fact]
    public void Student_quantiles_approach_the_normal_and_match_tables()
    {
        Assert.Equal(2.228, Gaussian.StudentQuantile(0.025, 10), 2);     // t_{10, 0.975}
        Assert.Equal(2.042, Gaussian.StudentQuantile(0.025, 30), 2);
        Assert.Equal(Gaussian.Quantile(0.975), Gaussian.StudentQuantile(0.025, 1e9), 6);
    }
}
