using Thermo.Analysis;
using Thermo.Ising;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Tests.Analysis;

public class DobrushinTests
{
    /// <summary>Clamped input (4) → hidden → output, dense; W₂ scaled so the β|J| row-sum bound α equals <paramref name="alpha"/>.</summary>
    internal static IsingProgram LayeredBlock(int hidden, int output, double alpha, bool ferromagnet, ulong seed)
    {
        const int input = 4;
        var z = new float[(input * hidden + hidden * output + 3) & ~3];
        Philox.FillNormal(seed, 1, 0, z);
        var w1 = z[..(input * hidden)].Select(v => 0.3f * v).ToArray();
        var w2 = z[(input * hidden)..(input * hidden + hidden * output)].Select(v => ferromagnet ? 1f : v).ToArray();
        var program = new IsingProgram(
            [new SpinLayer("input", [input], isInput: true), new SpinLayer("hidden", [hidden]), new SpinLayer("output", [output])],
            [new DenseCoupling(0, 1, w1), new DenseCoupling(1, 2, w2)], [null, ferromagnet ? null : new float[hidden], ferromagnet ? null : new float[output]]);
        float scale = (float)(alpha / DobrushinBound.Alpha(program));
        for (int i = 0; i < w2.Length; i++) w2[i] *= scale;
        return new IsingProgram(program.Layers, [new DenseCoupling(0, 1, w1), new DenseCoupling(1, 2, w2)]);
    }

    [Theory]
    [InlineData(0.5, false, 1)]
    [InlineData(0.9, false, 2)]
    [InlineData(0.7, true, 3)]
    public void Output_autocorrelation_times_respect_the_Dobrushin_bound(double alpha, bool ferromagnet, ulong seed)
    {
        var program = LayeredBlock(10, 6, alpha, ferromagnet, seed);
        Assert.Equal(alpha, DobrushinBound.Alpha(program), 4);
        double lambda = DobrushinBound.SweepContraction(program);
        Assert.True(lambda <= alpha * alpha + 1e-9, $"λ = {lambda} > α² = {alpha * alpha}");
        double bound = DobrushinBound.TauBound(lambda);
        var inputs = new InputBatch(Enumerable.Repeat((sbyte)1, 8).ToArray(), 2, 4);
        var m = ChainAutocorrelation.Measure(new ReferenceGibbsSampler(program), inputs, 2, chains: 8, burnIn: 20, sweeps: 1500, seed,
            groups: [Enumerable.Range(0, 6).ToArray()]);
        var total = m.Groups[0];
        Assert.True(total.Tau <= bound + 4 * total.TauStandardError, $"τ(Σ output) = {total.Tau:F2} ± {total.TauStandardError:F2}, bound {bound:F2}");
        Assert.True(m.Pooled.Tau <= bound + 4 * m.Pooled.TauStandardError, $"pooled τ {m.Pooled.Tau:F2}, bound {bound:F2}");
        Assert.True(m.SpinTauQuantile(1) <= bound * 1.3 + 0.5, $"max spin τ {m.SpinTauQuantile(1):F2}, bound {bound:F2}");
        if (ferromagnet)   // uniform couplings at zero field: the total magnetisation relaxes at nearly the bound's rate
            Assert.True(total.Tau >= 0.6 * bound, $"ferromagnet τ(Σ output) = {total.Tau:F2}, bound {bound:F2}");
    }
}
