using Thermo.Kernels;
using Thermo.Ising;
using Thermo.Sampling;
using Thermo.Tensors;

namespace Thermo.Tests.Sampling;

public class ReferenceSamplerTests
{
    /// <summary>
    /// Runs <paramref name="chains"/> independent chains (as separate inputs, so every chain's averages are
    /// seen separately), and checks every magnetisation and pair correlation against exact enumeration with
    /// a tolerance of 5 standard errors estimated from the spread between chains (plus 0.005 for the
    /// remaining burn-in bias).
    /// </summary>
    internal static void AssertAgreesWithEnumeration(GibbsSampler sampler, InputBatch? inputs = null, int chains = 256, int samples = 40, int burnIn = 50, ulong seed = 1)
    {
        var program = sampler.Program;
        int n = program.SpinCount;
        inputs ??= InputBatch.None;
        // One batch row per chain: replicate the single input row, distinct global indices give independent chains.
        var rows = new sbyte[chains * inputs.Width];
        for (int c = 0; c < chains; c++) inputs.Row(0).CopyTo(rows.AsSpan(c * inputs.Width));
        var batch = new InputBatch(rows, chains, inputs.Width);
        var mag = new MagnetizationObserver();
        var all = Enumerable.Range(0, n).ToArray();
        var corr = CorrelationObserver.AllPairs(all);
        sampler.Run(new SamplingRequest(batch, 1, new Schedule(burnIn, samples), seed), mag, corr);
        var (exactMean, exactPair) = ExactEnumeration.Moments(program, inputs.Row(0));
        var free = program.FreeMask();

        for (int i = 0; i < n; i++)
        {
            var per = Enumerable.Range(0, chains).Select(c => (double)mag.Sums(c)[i] / mag.Count(c)).ToArray();
            Check(per, exactMean[i], $"m[{i}]");
        }
        for (int k = 0; k < corr.Pairs.Count; k++)
        {
            var (i, j) = corr.Pairs[k];
            if (!free[i] && !free[j]) continue;
            var per = Enumerable.Range(0, chains).Select(c => (double)corr.Sums(c)[k] / corr.Count(c)).ToArray();
            Check(per, exactPair[i * n + j], $"<s{i} s{j}>");
        }

        void Check(double[] per, double exact, string what)
        {
            double mean = per.Average();
            double sd = Math.Sqrt(per.Sum(v => (v - mean) * (v - mean)) / (per.Length - 1));
            double se = sd / Math.Sqrt(per.Length);
            Assert.True(Math.Abs(mean - exact) <= 5 * se + 0.005, $"{what}: sampled {mean:F4} ± {se:F4}, exact {exact:F4} ({sampler.Representation}, β={program.Beta})");
        }
    }

    [Theory]
    [InlineData(0.3f, 11UL)]
    [InlineData(1.0f, 12UL)]
    [InlineData(2.0f, 13UL)]
    public void Dense_models_match_exact_enumeration(float beta, ulong seed) =>
        AssertAgreesWithEnumeration(new ReferenceGibbsSampler(RandomPrograms.Dense(10, beta, seed)));

    [Theory]
    [InlineData(0.5f, 21UL)]
    [InlineData(1.5f, 22UL)]
    public void Sparse_models_match_exact_enumeration(float beta, ulong seed) =>
        AssertAgreesWithEnumeration(new ReferenceGibbsSampler(RandomPrograms.Sparse(14, 0.3f, beta, seed)));

    [Fact]
    public void Pinned_spins_stay_fixed_and_condition_the_rest()
    {
        var program = RandomPrograms.Dense(9, 1f, 31, pinned: [(0, 1), (4, -1)]);
        AssertAgreesWithEnumeration(new ReferenceGibbsSampler(program));
    }

    [Fact]
    public void Layered_program_with_clamped_input_matches_exact_enumeration()
    {
        var program = SmallLayered(beta: 1f, delta: 0.7f, seed: 41);
        var input = new InputBatch([1, -1, -1, 1, 1, -1], 1, 6);
        AssertAgreesWithEnumeration(new ReferenceGibbsSampler(program), input);
    }

    /// <summary>Input [6] → dense → [5] → dense → [3] (8 free spins) with random weights.</summary>
    internal static IsingProgram SmallLayered(float beta, float delta, ulong seed)
    {
        var w1 = new float[5 * 6]; var w2 = new float[3 * 5];
        Thermo.Randomness.Philox.FillNormal(seed, 1, 0, w1);
        Thermo.Randomness.Philox.FillNormal(seed, 2, 0, w2);
        var b1 = new float[5]; var b2 = new float[3];
        for (int i = 0; i < 5; i++) b1[i] = 0.2f * (i - 2);
        for (int i = 0; i < 3; i++) b2[i] = -0.3f * (i - 1);
        return new IsingProgram(
            [new SpinLayer("x", [6], isInput: true), new SpinLayer("h", [5]), new SpinLayer("y", [3])],
            [new DenseCoupling(0, 1, w1.Select(v => 0.5f * v).ToArray()), new DenseCoupling(1, 2, w2.Select(v => 0.8f * v).ToArray())],
            [null, b1, b2], beta, delta);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var program = RandomPrograms.Sparse(12, 0.4f, 1f, 51);
        var request = new SamplingRequest(new InputBatch([], 3, 0), 5, new Schedule(3, 7, 2), 99);
        var results = new List<(long[], long[], sbyte[])>();
        int saved = ParallelRange.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                ParallelRange.Threads = threads;
                var mag = new MagnetizationObserver();
                var corr = CorrelationObserver.AllPairs([0, 3, 5, 11]);
                var trace = new TraceObserver([0]);
                new ReferenceGibbsSampler(program).Run(request, mag, corr, trace);
                var m = Enumerable.Range(0, 3).SelectMany(s => mag.Sums(s).ToArray()).ToArray();
                var c = Enumerable.Range(0, 3).SelectMany(s => corr.Sums(s).ToArray()).ToArray();
                var t = Enumerable.Range(0, 3).SelectMany(s => Enumerable.Range(0, 5).SelectMany(ch => trace.Series(s, ch, 7).ToArray())).ToArray();
                results.Add((m, c, t));
            }
        }
        finally { ParallelRange.Threads = saved; }
        for (int k = 1; k < results.Count; k++)
        {
            Assert.Equal(results[0].Item1, results[k].Item1);
            Assert.Equal(results[0].Item2, results[k].Item2);
            Assert.Equal(results[0].Item3, results[k].Item3);
        }
    }

    [Fact]
    public void Shards_sum_to_the_unsharded_run()
    {
        var program = RandomPrograms.Dense(8, 0.8f, 61);
        var request = new SamplingRequest(new InputBatch([], 4, 0, firstIndex: 10), 3, new Schedule(2, 9), 5);
        var whole = new MagnetizationObserver();
        new ReferenceGibbsSampler(program).Run(request, whole);
        var merged = new long[4 * 8];
        var counts = new long[4];
        for (int s = 0; s < 5; s++)
        {
            var part = new MagnetizationObserver();
            new ReferenceGibbsSampler(program).Run(request with { Shard = new Shard(s, 5) }, part);
            for (int slot = 0; slot < 4; slot++)
            {
                counts[slot] += part.Count(slot);
                for (int i = 0; i < 8; i++) merged[slot * 8 + i] += part.Sums(slot)[i];
            }
        }
        for (int slot = 0; slot < 4; slot++)
        {
            Assert.Equal(whole.Count(slot), counts[slot]);
            Assert.Equal(whole.Sums(slot).ToArray(), merged.AsSpan(slot * 8, 8).ToArray());
        }
    }
}
