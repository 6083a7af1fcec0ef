namespace Thermo.Analysis;

/// <summary>
/// Autocorrelation functions and integrated autocorrelation times of Markov-chain output (Sokal, "Monte Carlo
/// methods in statistical mechanics", 1997). For chains x_c(s), s = 0…n−1, centred on their own means x̄_c (or on
/// the grand mean when all chains sample the same distribution: <c>pooledMean</c>),
/// Γ(t) = (1/C) Σ_c (1/n) Σ_{s=0}^{n−1−t} (x_c(s) − x̄_c)(x_c(s+t) − x̄_c), ρ(t) = Γ(t)/Γ(0), and
/// τ_int(M) = 1 + 2 Σ_{t=1}^{M} ρ(t) with Sokal's automatic window: the smallest M ≥ c·τ_int(M).
/// The 1/n normalisation (not 1/(n−t)) keeps Γ positive definite; lags are computed directly while the
/// window is short and by FFT (zero-padded to ≥ 2n) otherwise.
/// </summary>
public static class Autocorrelation
{
    /// <summary>Default window factor c (5 as in emcee; Sokal recommends 4–6 for roughly exponential decay).</summary>
    public const double DefaultWindowFactor = 5;

    /// <summary>Lags computed directly before switching to the FFT.</summary>
    const int DirectLags = 64;

    /// <summary>
    /// Γ(t) for t = 0…<paramref name="maxLag"/> (clipped to n − 1), averaged over <paramref name="chains"/> chains
    /// stored back to back in <paramref name="series"/> (chain c occupies [c·n, (c+1)·n)), each chain centred on its own
    /// mean, or all on the grand mean when <paramref name="pooledMean"/> (unbiased when the chains share one distribution;
    /// per-chain centring biases Γ by about −σ²τ_int/n).
    /// </summary>
    public static double[] Autocovariance(ReadOnlySpan<double> series, int chains, int maxLag, bool pooledMean = false)
    {
        int n = ChainLength(series, chains);
        double grand = 0;
        if (pooledMean) { foreach (double v in series) grand += v; grand /= series.Length; }
        maxLag = Math.Min(maxLag, n - 1);
        var gamma = new double[maxLag + 1];
        var centred = new double[n];
        bool fft = maxLag > DirectLags;
        int size = fft ? Fft.NextPowerOfTwo(2 * n) : 0;
        var re = fft ? new double[size] : [];
        var im = fft ? new double[size] : [];
        for (int c = 0; c < chains; c++)
        {
            var x = series.Slice(c * n, n);
            double mean = grand;
            if (!pooledMean)
            {
                for (int s = 0; s < n; s++) mean += x[s];
                mean /= n;
            }
            for (int s = 0; s < n; s++) centred[s] = x[s] - mean;
            if (!fft)
            {
                for (int t = 0; t <= maxLag; t++)
                {
                    double sum = 0;
                    for (int s = 0; s + t < n; s++) sum += centred[s] * centred[s + t];
                    gamma[t] += sum / n;
                }
                continue;
            }
            Array.Clear(re); Array.Clear(im);
            centred.CopyTo(re, 0);
            Fft.Transform(re, im, inverse: false);
            for (int k = 0; k < size; k++) { re[k] = re[k] * re[k] + im[k] * im[k]; im[k] = 0; }
            Fft.Transform(re, im, inverse: true);
            for (int t = 0; t <= maxLag; t++) gamma[t] += re[t] / size / n;
        }
        for (int t = 0; t <= maxLag; t++) gamma[t] /= chains;
        return gamma;
    }

    /// <summary>ρ(t) = Γ(t)/Γ(0) for t = 0…<paramref name="maxLag"/> (all zeros after ρ(0) = 1 for a constant series).</summary>
    public static double[] Function(ReadOnlySpan<double> series, int chains, int maxLag, bool pooledMean = false)
    {
        var gamma = Autocovariance(series, chains, maxLag, pooledMean);
        return Normalise(gamma);
    }

    static double[] Normalise(double[] gamma)
    {
        var rho = new double[gamma.Length];
        rho[0] = 1;
        if (gamma[0] > 0) for (int t = 1; t < rho.Length; t++) rho[t] = gamma[t] / gamma[0];
        return rho;
    }

    /// <summary>
    /// Sokal's self-consistent window on a normalised autocorrelation function: τ_int(M) for the smallest
    /// M ≥ 1 with M ≥ c·τ_int(M); when no lag qualifies, τ_int at the last lag and Found = false.
    /// </summary>
    public static (double Tau, int Window, bool Found) IntegratedTime(ReadOnlySpan<double> rho, double c = DefaultWindowFactor)
    {
        if (!(c > 0)) throw new ArgumentException($"window factor c must be positive, got {c}");
        double tau = 1;
        for (int m = 1; m < rho.Length; m++)
        {
            tau += 2 * rho[m];
            if (m >= c * tau) return (tau, m, true);
        }
        return (tau, Math.Max(rho.Length - 1, 0), false);
    }

    /// <summary>Mean, variance, ρ, τ_int (automatic window), effective sample size and standard errors of one observable.</summary>
    public static AutocorrelationEstimate Estimate(ReadOnlySpan<double> series, int chains, double c = DefaultWindowFactor, bool pooledMean = false)
    {
        int n = ChainLength(series, chains);
        double mean = 0;
        foreach (double v in series) mean += v;
        mean /= series.Length;
        var gamma = Autocovariance(series, chains, Math.Min(n - 1, DirectLags), pooledMean);
        var rho = Normalise(gamma);
        var (tau, window, found) = IntegratedTime(rho, c);
        if (!found && n - 1 > DirectLags)
        {
            gamma = Autocovariance(series, chains, n - 1, pooledMean);
            rho = Normalise(gamma);
            (tau, window, found) = IntegratedTime(rho, c);
        }
        if (gamma[0] <= 0) (tau, window, found) = (1, 0, true);
        int keep = Math.Min(rho.Length, Math.Max(window + 1, 2));
        return new AutocorrelationEstimate(mean, gamma[0], rho[..keep], tau, window, series.Length, chains, found) { ChainLength = n, PooledMean = pooledMean };
    }

    /// <summary><see cref="Estimate(ReadOnlySpan{double}, int, double, bool)"/> for ±1 spin traces.</summary>
    public static AutocorrelationEstimate Estimate(ReadOnlySpan<sbyte> series, int chains, double c = DefaultWindowFactor, bool pooledMean = false)
    {
        var x = new double[series.Length];
        for (int i = 0; i < x.Length; i++) x[i] = series[i];
        return Estimate(x, chains, c, pooledMean);
    }

    static int ChainLength(ReadOnlySpan<double> series, int chains)
    {
        if (chains < 1) throw new ArgumentException($"need at least one chain, got {chains}");
        if (series.Length % chains != 0) throw new ArgumentException($"{series.Length} values do not split into {chains} chains of equal length");
        int n = series.Length / chains;
        if (n < 2) throw new ArgumentException($"chains must have at least 2 samples, got {n}");
        return n;
    }
}
