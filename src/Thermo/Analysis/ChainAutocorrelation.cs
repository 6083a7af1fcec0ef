using Thermo.Sampling;

namespace Thermo.Analysis;

/// <summary>
/// Measures autocorrelation times of a layer's spins from per-sweep traces (<see cref="TraceObserver"/>): every
/// input runs <c>chains</c> independent chains for burn-in + n sweeps, and each spin's chains (which share one
/// distribution) are centred on their pooled mean. Lags are computed directly, doubling the maximum lag until
/// Sokal's window is found for the pooled function and for nearly all spins.
/// </summary>
public static class ChainAutocorrelation
{
    /// <summary>Largest lag tried before giving up on a window (τ is then reported as a lower bound).</summary>
    public const int MaxLag = 512;

    /// <summary>
    /// Runs <paramref name="sampler"/> on <paramref name="inputs"/> and estimates τ_int of every spin of
    /// <paramref name="layer"/>, of the layer pooled, and of each group sum Σ_{k∈group} s_k (e.g. a class population).
    /// </summary>
    public static LayerAutocorrelation Measure(GibbsSampler sampler, InputBatch inputs, int layer, int chains, int burnIn, int sweeps,
        ulong seed, IReadOnlyList<int[]>? groups = null, double c = Autocorrelation.DefaultWindowFactor)
    {
        if (sweeps < 8) throw new ArgumentException($"need at least 8 recorded sweeps per chain, got {sweeps}");
        if (chains < 1) throw new ArgumentException($"need at least one chain, got {chains}");
        groups ??= [];
        int size = sampler.Program.Layers[layer].Size;
        long bytesPerInput = (long)chains * size * sweeps;
        int perSlice = (int)Math.Clamp((256L << 20) / Math.Max(1, bytesPerInput), 1, inputs.Count);
        var traces = new List<(TraceObserver Trace, int Count)>();
        var spinGammas = new List<double[]>();
        var spinTaus = new List<double>();
        long frozen = 0, total = 0;
        int lag = Math.Min(16, sweeps - 1);
        var pooled = new double[MaxLag + 1];
        var groupGamma = groups.Select(_ => new double[MaxLag + 1]).ToArray();
        var groupMean = new double[groups.Count];
        var series = new double[chains * sweeps];
        for (int start = 0; start < inputs.Count; start += perSlice)
        {
            int count = Math.Min(perSlice, inputs.Count - start);
            var trace = new TraceObserver([layer], includeBurnIn: false);
            sampler.Run(new SamplingRequest(inputs.Slice(start, count), chains, new Schedule(burnIn, sweeps), seed), trace);
            traces.Add((trace, count));
        }
        // Lags needed: double until the pooled window and 99% of the spin windows are found.
        while (true)
        {
            Array.Clear(pooled);
            spinTaus.Clear();
            frozen = 0; total = 0;
            long missing = 0;
            foreach (var (trace, count) in traces)
                for (int slot = 0; slot < count; slot++)
                    for (int k = 0; k < size; k++)
                    {
                        total++;
                        Fill(trace, slot, k, chains, series);
                        var gamma = Autocorrelation.Autocovariance(series, chains, lag, pooledMean: true);
                        if (gamma[0] <= 0) { frozen++; continue; }
                        for (int t = 0; t <= lag; t++) pooled[t] += gamma[t];
                        var rho = Normalised(gamma);
                        var (tau, _, found) = Autocorrelation.IntegratedTime(rho, c);
                        if (!found) missing++;
                        spinTaus.Add(tau);
                    }
            var (_, _, pooledFound) = Autocorrelation.IntegratedTime(Normalised(pooled[..(lag + 1)]), c);
            if ((pooledFound && missing <= 0.01 * Math.Max(1, spinTaus.Count)) || lag >= Math.Min(MaxLag, sweeps - 1)) break;
            lag = Math.Min(Math.Min(MaxLag, sweeps - 1), lag * 2);
        }
        var pooledGamma = pooled[..(lag + 1)];
        var pooledRho = Normalised(pooledGamma);
        var (pTau, pWindow, pFound) = Autocorrelation.IntegratedTime(pooledRho, c);
        long samples = (long)chains * sweeps * Math.Max(1, total - frozen);
        var pooledEstimate = new AutocorrelationEstimate(0, total > frozen ? pooledGamma[0] / (total - frozen) : 0, pooledRho[..Math.Min(pooledRho.Length, pWindow + 1)],
            pTau, pWindow, samples, chains, pFound) { ChainLength = sweeps, PooledMean = true };

        var groupEstimates = new AutocorrelationEstimate[groups.Count];
        for (int gi = 0; gi < groups.Count; gi++)
        {
            int inputsSeen = 0;
            foreach (var (trace, count) in traces)
                for (int slot = 0; slot < count; slot++, inputsSeen++)
                {
                    Array.Clear(series);
                    foreach (int k in groups[gi])
                        for (int ch = 0; ch < chains; ch++)
                        {
                            var s = trace.Series(slot, ch, k);
                            for (int t = 0; t < sweeps; t++) series[ch * sweeps + t] += s[t];
                        }
                    double m = 0;
                    foreach (double v in series) m += v;
                    groupMean[gi] += m / series.Length;
                    var gamma = Autocorrelation.Autocovariance(series, chains, Math.Min(MaxLag, sweeps - 1), pooledMean: true);
                    for (int t = 0; t < gamma.Length; t++) groupGamma[gi][t] += gamma[t];
                }
            int len = Math.Min(MaxLag, sweeps - 1) + 1;
            var g = groupGamma[gi][..len];
            var rho = Normalised(g);
            var (tau, window, found) = Autocorrelation.IntegratedTime(rho, c);
            groupEstimates[gi] = new AutocorrelationEstimate(groupMean[gi] / Math.Max(1, inputsSeen), g[0] / Math.Max(1, inputsSeen),
                rho[..Math.Min(rho.Length, Math.Max(window + 1, 2))], tau, window, (long)chains * sweeps * inputsSeen, chains, found)
            { ChainLength = sweeps, PooledMean = true };
        }
        return new LayerAutocorrelation(pooledEstimate, spinTaus.ToArray(), total == 0 ? 0 : (double)frozen / total, groupEstimates);
    }

    static void Fill(TraceObserver trace, int slot, int spin, int chains, double[] series)
    {
        int n = trace.Sweeps;
        for (int ch = 0; ch < chains; ch++)
        {
            var s = trace.Series(slot, ch, spin);
            for (int t = 0; t < n; t++) series[ch * n + t] = s[t];
        }
    }

    static double[] Normalised(double[] gamma)
    {
        var rho = new double[gamma.Length];
        rho[0] = 1;
        if (gamma[0] > 0) for (int t = 1; t < rho.Length; t++) rho[t] = gamma[t] / gamma[0];
        return rho;
    }
}
