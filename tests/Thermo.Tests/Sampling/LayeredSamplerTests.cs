using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

public class LayeredSamplerTests
{
    static float[] IntegerWeights(int n, ulong seed, ulong stream, int range)
    {
        var w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (int)(Philox.Uniform(seed, stream, (ulong)i) * (2 * range + 1)) - range;
        return w;
    }

    /// <summary>
    /// A layered program with every coupling kind the layered samplers support, odd channel counts and
    /// several conv geometries. Integer weights and δ = 1/2 make every field exact in float32.
    /// </summary>
    internal static IsingProgram IntegerLayered(ulong seed, int k1 = 3, int s1 = 1, int p1 = 1, int k2 = 4, int s2 = 2, int p2 = 1,
        bool pinned = false, float beta = 0.15f, bool integer = true)
    {
        int cin = 2, h = 9, c1 = 5, c2 = 17, n3 = 6, n4 = 20;
        int h1 = (h + 2 * p1 - k1) / s1 + 1, h2 = (h1 + 2 * p2 - k2) / s2 + 1;
        float[] W(int n, ulong stream) => integer ? IntegerWeights(n, seed, stream, 2) : IntegerWeights(n, seed, stream, 2).Select(v => v * 0.37f + 0.01f).ToArray();
        var layers = new[]
        {
            new SpinLayer("x", [cin, h, h], isInput: true),
            new SpinLayer("h1", [c1, h1, h1]),
            new SpinLayer("h2", [c2, h2, h2]),
            new SpinLayer("h3", [n3]),
            new SpinLayer("y", [n4]),
        };
        var couplings = new Coupling[]
        {
            new ConvCoupling(0, 1, W(c1 * cin * k1 * k1, 1), k1, s1, p1),
            new ConvCoupling(1, 2, W(c2 * c1 * k2 * k2, 2), k2, s2, p2),
            new DenseCoupling(2, 3, W(n3 * c2 * h2 * h2, 3)),
            new DenseCoupling(3, 4, W(n4 * n3, 4)),
        };
        var biases = new float[]?[] { null, W(c1 * h1 * h1, 5), null, W(n3, 6), W(n4, 7) };
        (int, sbyte)[]? pins = pinned ? [(cin * h * h + 3, (sbyte)1), (cin * h * h + c1 * h1 * h1 + 7, (sbyte)-1)] : null;
        return new IsingProgram(layers, couplings, biases, beta, 0.5f, pins);
    }

    internal static sbyte[][] Traces(GibbsSampler sampler, int inputs, int chains, int sweeps, ulong seed)
    {
        var p = sampler.Program;
        var values = new sbyte[inputs * p.InputSpinCount];
        for (int i = 0; i < values.Length; i++) values[i] = Philox.Uniform(seed, 77, (ulong)i) < 0.5f ? (sbyte)1 : (sbyte)-1;
        var batch = new InputBatch(values, inputs, p.InputSpinCount, firstIndex: 3);
        var free = Enumerable.Range(0, p.Layers.Count).Where(l => !p.Layers[l].IsInput).ToArray();
        var trace = new TraceObserver(free);
        sampler.Run(new SamplingRequest(batch, chains, new Schedule(0, sweeps), seed), trace);
        var result = new List<sbyte[]>();
        for (int s = 0; s < inputs; s++)
            for (int c = 0; c < chains; c++)
                for (int i = 0; i < trace.Size; i++) result.Add(trace.Series(s, c, i).ToArray());
        return result.ToArray();
    }

    [Theory]
    [InlineData(3, 1, 1, 4, 2, 1, false)]
    [InlineData(4, 2, 1, 3, 1, 0, true)]
    [InlineData(5, 1, 2, 3, 3, 1, false)]
    [InlineData(2, 2, 0, 2, 2, 1, true)]
    public void Layered_sampler_reproduces_the_reference_chain_exactly_on_integer_couplings(int k1, int s1, int p1, int k2, int s2, int p2, bool pinned)
    {
        var program = IntegerLayered(5, k1, s1, p1, k2, s2, p2, pinned);
        var reference = Traces(new ReferenceGibbsSampler(program), 2, 2, 40, 9);
        foreach (var update in new[] { FieldUpdate.Full, FieldUpdate.Incremental, FieldUpdate.Table })
        {
            var fast = Traces(new LayeredGibbsSampler(program, update), 2, 2, 40, 9);
            Assert.Equal(reference.Length, fast.Length);
            for (int i = 0; i < reference.Length; i++) Assert.True(reference[i].AsSpan().SequenceEqual(fast[i]), $"{update}: series {i} differs");
        }
    }

    [Theory]
    [InlineData(0.05f)] // hot: most updates recompute in full
    [InlineData(0.6f)]  // cold: few flips, most updates add only the flips
    public void Incremental_mode_reproduces_full_mode_on_integer_couplings_over_refreshes(float beta)
    {
        var program = IntegerLayered(8, beta: beta);
        var full = Traces(new LayeredGibbsSampler(program, FieldUpdate.Full), 1, 3, 3 * LayeredGibbsSampler.RefreshInterval + 5, 4);
        var sampler = new LayeredGibbsSampler(program, FieldUpdate.Incremental);
        var incr = Traces(sampler, 1, 3, 3 * LayeredGibbsSampler.RefreshInterval + 5, 4);
        for (int i = 0; i < full.Length; i++) Assert.True(full[i].AsSpan().SequenceEqual(incr[i]), $"series {i} differs");
        int changes = incr.Sum(series => Enumerable.Range(10, series.Length - 10).Count(t => series[t] != series[t - 1]));
        Assert.True(changes > 100, $"only {changes} spin changes after burn-in: the chains are frozen");
        if (beta > 0.5f) Assert.True(sampler.IncrementalUpdates > 100, $"only {sampler.IncrementalUpdates} incremental updates");
    }

    [Fact]
    public void Layered_sampler_agrees_with_reference_statistics_on_real_couplings()
    {
        // Non-integer couplings: summation order differs, so compare magnetisations statistically.
        var program = IntegerLayered(6, integer: false, beta: 0.3f);
        var batch = new InputBatch(Enumerable.Range(0, program.InputSpinCount).Select(i => (sbyte)(i % 3 == 0 ? 1 : -1)).ToArray(), 1, program.InputSpinCount);
        var request = new SamplingRequest(batch, 200, new Schedule(10, 20), 3);
        var results = new List<(float[] Mean, double[] Se)>();
        foreach (var sampler in new GibbsSampler[] { new ReferenceGibbsSampler(program), new LayeredGibbsSampler(program), new LayeredGibbsSampler(program, FieldUpdate.Incremental), new LayeredGibbsSampler(program, FieldUpdate.Table) })
        {
            var obs = new SignAverageObserver(3, 4);
            sampler.Run(request, obs);
            var mean = obs.Readout(0);
            var se = new double[mean.Length];
            for (int i = 0; i < mean.Length; i++)
            {
                var per = Enumerable.Range(0, 200).Select(c => (double)obs.Average(0, c)[i]).ToArray();
                double m = per.Average();
                se[i] = Math.Sqrt(per.Sum(v => (v - m) * (v - m)) / 199 / 200);
            }
            results.Add((mean, se));
        }
        for (int k = 1; k < results.Count; k++)
            for (int i = 0; i < results[0].Mean.Length; i++)
            {
                double diff = results[k].Mean[i] - results[0].Mean[i], se = Math.Sqrt(results[k].Se[i] * results[k].Se[i] + results[0].Se[i] * results[0].Se[i]);
                Assert.True(Math.Abs(diff) <= 5 * se + 1e-3, $"sampler {k} spin {i}: {results[k].Mean[i]:F4} vs reference {results[0].Mean[i]:F4} (se {se:F4})");
            }
    }

    /// <summary>input [1,4,4] → conv 3×3 s1 p0 → [2,2,2] → dense → [4]: 12 free spins, float couplings, δ = 0.6, and one input.</summary>
    internal static (IsingProgram Program, InputBatch Input) SmallConvProgram()
    {
        var w1 = new float[2 * 9]; var w2 = new float[4 * 8];
        Philox.FillNormal(3, 1, 0, w1.AsSpan(0, 16)); w1[16] = 0.3f; w1[17] = -0.2f;
        Philox.FillNormal(3, 2, 0, w2);
        var program = new IsingProgram(
            [new SpinLayer("x", [1, 4, 4], true), new SpinLayer("h", [2, 2, 2]), new SpinLayer("y", [4])],
            [new ConvCoupling(0, 1, w1.Select(v => 0.5f * v).ToArray(), 3), new DenseCoupling(1, 2, w2.Select(v => 0.6f * v).ToArray())],
            [null, Enumerable.Range(0, 8).Select(i => 0.1f * (i % 3 - 1)).ToArray(), new[] { 0.2f, -0.1f, 0f, 0.3f }], beta: 1f, delta: 0.6f);
        return (program, new InputBatch(Enumerable.Range(0, 16).Select(i => (sbyte)((i * 5) % 7 < 3 ? 1 : -1)).ToArray(), 1, 16));
    }

    [Fact]
    public void Small_conv_program_matches_exact_enumeration()
    {
        var (program, input) = SmallConvProgram();
        ReferenceSamplerTests.AssertAgreesWithEnumeration(new LayeredGibbsSampler(program), input);
        ReferenceSamplerTests.AssertAgreesWithEnumeration(new LayeredGibbsSampler(program, FieldUpdate.Incremental), input);
        ReferenceSamplerTests.AssertAgreesWithEnumeration(new LayeredGibbsSampler(program, FieldUpdate.Table), input);
    }

    [Fact]
    public void Sparse_programs_are_refused_with_the_reason()
    {
        var e = Assert.Throws<NotSupportedException>(() => new LayeredGibbsSampler(RandomPrograms.Sparse(6, 0.5f, 1f, 1)));
        Assert.Contains("reference sampler", e.Message);
    }
}

public class LayeredDeterminismTests
{
    static (long[] Mag, int[] Signs) RunAll(GibbsSampler sampler, SamplingRequest request)
    {
        var mag = new MagnetizationObserver();
        var sign = new SignAverageObserver(sampler.Program.Layers.Count - 1);
        sampler.Run(request, mag, sign);
        var m = Enumerable.Range(0, mag.Inputs).SelectMany(s => mag.Sums(s).ToArray().Append(mag.Count(s))).ToArray();
        var g = Enumerable.Range(0, request.Inputs.Count).SelectMany(s => Enumerable.Range(0, request.Chains).SelectMany(c => sign.Sums(s, c).ToArray())).ToArray();
        return (m, g);
    }

    [Theory]
    [InlineData(SamplerKind.Float32)]
    [InlineData(SamplerKind.Table)]
    [InlineData(SamplerKind.Incremental)]
    public void Fast_paths_do_not_depend_on_thread_count_or_sharding(SamplerKind kind)
    {
        var program = LayeredSamplerTests.IntegerLayered(12, integer: false, beta: 0.4f);
        var values = Enumerable.Range(0, 3 * program.InputSpinCount).Select(i => (sbyte)(i % 5 < 2 ? 1 : -1)).ToArray();
        var request = new SamplingRequest(new InputBatch(values, 3, program.InputSpinCount, firstIndex: 40), 4, new Schedule(3, 6, 2), 21);
        int saved = Thermo.Kernels.ParallelRange.Threads;
        try
        {
            Thermo.Kernels.ParallelRange.Threads = 1;
            var one = RunAll(GibbsSampler.Create(program, kind), request);
            Thermo.Kernels.ParallelRange.Threads = 2;
            var two = RunAll(GibbsSampler.Create(program, kind), request);
            Assert.Equal(one.Mag, two.Mag);
            Assert.Equal(one.Signs, two.Signs);
            // Shards: the sign-average sums of each (input, chain) are the same whichever shard ran it.
            var merged = new int[one.Signs.Length];
            for (int s = 0; s < 3; s++)
            {
                var part = RunAll(GibbsSampler.Create(program, kind), request with { Shard = new Shard(s, 3) });
                for (int i = 0; i < merged.Length; i++) merged[i] += part.Signs[i];
            }
            Assert.Equal(one.Signs, merged);
        }
        finally { Thermo.Kernels.ParallelRange.Threads = saved; }
    }
}
