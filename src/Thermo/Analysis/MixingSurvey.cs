using Thermo.Blocks;
using Thermo.Ising;
using Thermo.Sampling;

namespace Thermo.Analysis;

/// <summary>One row of a mixing scan: a block's program at (β, δ), its Dobrushin numbers and measured τ_int of the output layer.</summary>
/// <param name="Block">Block index.</param>
/// <param name="Beta">Inverse temperature β.</param>
/// <param name="Delta">Temperature gradient δ.</param>
/// <param name="Alpha">α = max_i β Σ_j |J_ij| over free–free couplings.</param>
/// <param name="Lambda">Per-sweep contraction λ (tanh influences, two colours).</param>
/// <param name="Bound">(1 + λ)/(1 − λ), ∞ when λ ≥ 1.</param>
/// <param name="Output">Measured autocorrelation of the output layer.</param>
public sealed record MixingRow(int Block, double Beta, double Delta, double Alpha, double Lambda, double Bound, LayerAutocorrelation Output);

/// <summary>Time averages of G samples: their spread over independent chains against σ²τ_int/G from the same chains' traces.</summary>
/// <param name="Samples">G.</param>
/// <param name="Chains">Independent chains per input.</param>
/// <param name="ObservedVariance">Σ over spins of the across-chain variance of the time averages.</param>
/// <param name="PredictedVariance">Σ over spins of σ_i² τ_i / G, τ_i from each spin's traces (pooled over chains).</param>
/// <param name="RelativeError">Expected relative error of the observed sum, √(2/(chains − 1)) over the independent spins it averages.</param>
/// <param name="Spins">Fluctuating spins summed over.</param>
public sealed record TimeAverageCheck(int Samples, int Chains, double ObservedVariance, double PredictedVariance, double RelativeError, int Spins)
{
    /// <summary>Observed / predicted.</summary>
    public double Ratio => ObservedVariance / PredictedVariance;
}

/// <summary>
/// Autocorrelation measurements on the blocks of a network: τ_int of each block's outputs at its actual inputs,
/// the dependence on β and δ against the Dobrushin bound, and the check Var(time average of G) ≈ σ²τ_int/G.
/// </summary>
public static class MixingSurvey
{
    /// <summary>
    /// Inputs of every block for the examples: block 0 gets the images' spins, block b the sign-averages of block b − 1
    /// after <paramref name="referenceSamples"/> samples (seed <paramref name="seed"/>). [block][count × width].
    /// </summary>
    public static sbyte[][] BlockInputs(BlockPipeline p, sbyte[] inputs, int count, long firstIndex, int referenceSamples, int burnIn, ulong seed)
    {
        var x = new sbyte[p.Blocks][];
        x[0] = inputs;
        for (int b = 0; b + 1 < p.Blocks; b++)
        {
            var prefix = p.RunPrefix(b, x[b], count, firstIndex, 1, burnIn, [referenceSamples], seed);
            x[b + 1] = BlockPipeline.Signs(prefix, count, 1, 0, seed, b, firstIndex);
        }
        return x;
    }

    /// <summary>τ_int of every block's output layer (and of the class sums in the last block) at its inputs.</summary>
    public static LayerAutocorrelation[] BlockTaus(BlockPipeline p, sbyte[][] blockInputs, int count, long firstIndex, int chains, int burnIn, int sweeps, ulong seed)
    {
        var r = new LayerAutocorrelation[p.Blocks];
        for (int b = 0; b < p.Blocks; b++)
        {
            var groups = b == p.Blocks - 1 ? GroupTraceObserver.Populations(p.Classes, p.Population) : null;
            r[b] = ChainAutocorrelation.Measure(p.Sampler(b), new InputBatch(blockInputs[b], count, p.InputWidth(b), firstIndex),
                BlockPipeline.OutputLayer, chains, burnIn, sweeps, seed, groups);
        }
        return r;
    }

    /// <summary>The first <paramref name="count"/> inputs of block <paramref name="block"/> (the arrays may hold more examples).</summary>
    public static InputBatch FirstInputs(BlockPipeline p, sbyte[][] blockInputs, int block, int count, long firstIndex) =>
        new(blockInputs[block].AsSpan(0, count * p.InputWidth(block)).ToArray(), count, p.InputWidth(block), firstIndex);

    /// <summary>Every block's program rescaled to each (β, δ) pair: Dobrushin numbers and measured output τ_int.</summary>
    public static List<MixingRow> Scan(BlockPipeline p, sbyte[][] blockInputs, int count, long firstIndex, IReadOnlyList<double> betas, IReadOnlyList<double> deltas,
        int chains, int burnIn, int sweeps, ulong seed, Action<string>? progress = null)
    {
        var rows = new List<MixingRow>();
        for (int b = 0; b < p.Blocks; b++)
        {
            var inputs = FirstInputs(p, blockInputs, b, count, firstIndex);
            foreach (double beta in betas)
                foreach (double delta in deltas)
                {
                    var program = p.Programs[b].With(beta: (float)beta, delta: (float)delta);
                    double lambda = DobrushinBound.SweepContraction(program);
                    var ac = ChainAutocorrelation.Measure(GibbsSampler.Create(program), inputs, BlockPipeline.OutputLayer, chains, burnIn, sweeps, seed);
                    rows.Add(new MixingRow(b, beta, delta, DobrushinBound.Alpha(program), lambda, DobrushinBound.TauBound(lambda), ac));
                    progress?.Invoke($"block {b} β={beta} δ={delta}: τ = {ac.Pooled.Tau:F3}");
                }
        }
        return rows;
    }

    /// <summary>
    /// Relaxation from the random initial state: R(t) = Σ_{i,k} m_ik ⟨s_ik(t)⟩ / Σ_{i,k} m_ik², the overlap of the
    /// chain-averaged spins after sweep t with the equilibrium magnetisations m (estimated from sweeps ≥ <paramref name="equilibriumFrom"/>),
    /// for t = 0 … sweeps − 1; R → 1 at equilibrium and 1 − R(t) is the burn-in bias left after t + 1 sweeps.
    /// </summary>
    public static double[] Relaxation(GibbsSampler sampler, InputBatch inputs, int layer, int chains, int sweeps, int equilibriumFrom, ulong seed)
    {
        if (equilibriumFrom >= sweeps) throw new ArgumentException("the equilibrium window must lie inside the run");
        var trace = new TraceObserver([layer], includeBurnIn: true);
        sampler.Run(new SamplingRequest(inputs, chains, new Schedule(0, sweeps), seed), trace);
        var num = new double[sweeps];
        double den = 0;
        var avg = new double[sweeps];
        for (int slot = 0; slot < inputs.Count; slot++)
            for (int k = 0; k < trace.Size; k++)
            {
                Array.Clear(avg);
                for (int c = 0; c < chains; c++)
                {
                    var sr = trace.Series(slot, c, k);
                    for (int t = 0; t < sweeps; t++) avg[t] += sr[t];
                }
                double m = 0;
                for (int t = equilibriumFrom; t < sweeps; t++) m += avg[t];
                m /= (double)chains * (sweeps - equilibriumFrom);
                den += m * m;
                for (int t = 0; t < sweeps; t++) num[t] += m * avg[t] / chains;
            }
        return num.Select(v => den > 0 ? v / den : 1).ToArray();
    }

    /// <summary>
    /// Runs <paramref name="chains"/> chains per input for burn-in + G sweeps and compares the across-chain variance of every
    /// output spin's time average with σ_i² τ_i/G estimated from the same traces (Sokal window, chains pooled).
    /// </summary>
    public static TimeAverageCheck CheckTimeAverages(GibbsSampler sampler, InputBatch inputs, int layer, int chains, int burnIn, int g, ulong seed)
    {
        if (chains < 4) throw new ArgumentException($"need at least 4 chains to compare variances, got {chains}");
        var trace = new TraceObserver([layer], includeBurnIn: false);
        sampler.Run(new SamplingRequest(inputs, chains, new Schedule(burnIn, g), seed), trace);
        double observed = 0, predicted = 0;
        int spins = 0;
        var series = new double[chains * g];
        for (int slot = 0; slot < inputs.Count; slot++)
            for (int k = 0; k < trace.Size; k++)
            {
                for (int c = 0; c < chains; c++)
                {
                    var s = trace.Series(slot, c, k);
                    for (int t = 0; t < g; t++) series[c * g + t] = s[t];
                }
                var est = Autocorrelation.Estimate(series, chains, pooledMean: true);
                if (est.Variance <= 0) continue;
                double mean = est.Mean, v = 0;
                for (int c = 0; c < chains; c++)
                {
                    double m = 0;
                    for (int t = 0; t < g; t++) m += series[c * g + t];
                    m /= g;
                    v += (m - mean) * (m - mean);
                }
                observed += v / (chains - 1);
                predicted += est.Variance * est.Tau / g;
                spins++;
            }
        return new TimeAverageCheck(g, chains, observed, predicted, Math.Sqrt(2.0 / (chains - 1)) / Math.Sqrt(Math.Max(1, spins)), spins);
    }
}
