using Thermo.Analysis;

namespace Thermo.Tests.Analysis;

public class AutocorrelationTests
{
    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.5, 2)]
    [InlineData(0.8, 3)]
    [InlineData(0.9, 4)]
    [InlineData(0.95, 5)]
    public void Integrated_time_of_AR1_matches_the_exact_value_within_the_estimator_error(double rho, ulong seed)
    {
        const int chains = 8, length = 4096;
        var x = SyntheticSeries.Ar1(rho, chains, length, seed);
        var est = Autocorrelation.Estimate(x, chains);
        double exact = SyntheticSeries.Ar1Tau(rho);
        Assert.True(est.WindowFound);
        // Chain-centring biases τ̂ by about −(2M+1)·τ/n; the random error is τ·√(2(2M+1)/N) (Sokal).
        double bias = (2 * est.Window + 1) * exact / length;
        Assert.True(Math.Abs(est.Tau - exact + bias) < 4 * est.TauStandardError,
            $"ρ={rho}: τ̂ = {est.Tau:F3} ± {est.TauStandardError:F3} (M = {est.Window}), exact {exact:F3}");
        Assert.True(Math.Abs(est.Variance - 1) < 6 * Math.Sqrt(2 * exact / est.Samples), $"σ² = {est.Variance:F4}");
        Assert.InRange(est.Window, DefaultWindowLow(exact), 6 * exact + 2);
    }

    static double DefaultWindowLow(double tau) => Autocorrelation.DefaultWindowFactor * tau * 0.7 - 1;

    [Fact]
    public void Direct_and_FFT_autocovariances_agree()
    {
        var x = SyntheticSeries.Ar1(0.7, 3, 300, 9);
        var direct = Autocorrelation.Autocovariance(x, 3, 40);   // ≤ 64 lags: direct sums
        var fft = Autocorrelation.Autocovariance(x, 3, 299);     // FFT
        for (int t = 0; t <= 40; t++) Assert.Equal(direct[t], fft[t], 1e-10);
    }

    [Fact]
    public void Variance_of_chain_means_equals_sigma_squared_tau_over_n()
    {
        // 400 independent chains of n = 256: the spread of their means must match σ²·τ_int/n, with τ_int and σ²
        // estimated from the chains themselves. Sample variance of 400 means has relative sd √(2/399) ≈ 7%.
        const int chains = 400, n = 256;
        var x = SyntheticSeries.Ar1(0.8, chains, n, 21);
        var est = Autocorrelation.Estimate(x, chains, pooledMean: true);
        var means = new double[chains];
        for (int c = 0; c < chains; c++) { double s = 0; for (int t = 0; t < n; t++) s += x[c * n + t]; means[c] = s / n; }
        double mu = means.Average(), v = means.Sum(m => (m - mu) * (m - mu)) / (chains - 1);
        double predicted = est.Variance * est.Tau / n;
        double rel = Math.Sqrt(2.0 / (chains - 1)) + est.TauStandardError / est.Tau;
        Assert.True(Math.Abs(v / predicted - 1) < 3.5 * rel, $"Var(mean) = {v:E3}, σ²τ/n = {predicted:E3} (τ = {est.Tau:F2})");
        Assert.Equal(est.Samples / est.Tau, est.EffectiveSamples, 9);
    }

    [Fact]
    public void Constant_and_white_series_have_unit_integrated_time()
    {
        var constant = Enumerable.Repeat(1.0, 200).ToArray();
        var c = Autocorrelation.Estimate(constant, 2);
        Assert.Equal(1, c.Tau);
        var white = SyntheticSeries.Ar1(0, 4, 2000, 3);
        var w = Autocorrelation.Estimate(white, 4);
        Assert.InRange(w.Tau, 1 - 4 * w.TauStandardError, 1 + 4 * w.TauStandardError);
    }

    [Fact]
    public void Short_series_report_that_no_window_was_found()
    {
        var x = SyntheticSeries.Ar1(0.99, 2, 40, 5);
        Assert.False(Autocorrelation.Estimate(x, 2).Reliable);
        Assert.False(Autocorrelation.Estimate(x, 2, pooledMean: true).WindowFound);
        Assert.True(Autocorrelation.Estimate(SyntheticSeries.Ar1(0.5, 2, 2000, 5), 2).Reliable);
        Assert.Throws<ArgumentException>(() => Autocorrelation.Estimate(new double[7], 2));
    }
}
