using Thermo.Blocks;
using Thermo.Analysis;
using Thermo.Sampling;

namespace Thermo.Tests.Analysis;

public class MixingSurveyTests
{
    [Theory]
    [InlineData(0.9, true)]    // ferromagnetic block: τ of single spins ≈ 1.4
    [InlineData(0.6, false)]
    public void Spread_of_time_averages_equals_sigma_squared_tau_over_G(double alpha, bool ferromagnet)
    {
        var program = DobrushinTests.LayeredBlock(10, 6, alpha, ferromagnet, 4);
        var inputs = new InputBatch(Enumerable.Repeat((sbyte)1, 8).ToArray(), 2, 4);
        var check = MixingSurvey.CheckTimeAverages(new ReferenceGibbsSampler(program), inputs, 2, chains: 300, burnIn: 20, g: 64, seed: 5);
        Assert.Equal(12, check.Spins);
        // The observed spread of 12 spins' averages over 300 chains has relative sd ≈ √(2/299)/√12·(correlations); allow 5σ
        // plus 5% for the O(τ/G) bias of τ̂ from 64-sample chains.
        Assert.True(Math.Abs(check.Ratio - 1) < 5 * check.RelativeError * 2 + 0.05,
            $"Var(mean of G) = {check.ObservedVariance:E3}, Σσ²τ/G = {check.PredictedVariance:E3}, ratio {check.Ratio:F3} (rel. error {check.RelativeError:F3})");
    }

    [Fact]
    public void Block_inputs_chain_sign_averages_and_scan_rescales_the_programs()
    {
        var net = TinyBlockNets.TwoDense(2);
        var (pixels, _, _) = TinyBlockNets.Images(6, 3);
        var p = new BlockPipeline(net);
        var x = MixingSurvey.BlockInputs(p, p.InputSpins(pixels), 6, 0, 9, 2, 1);
        Assert.Equal(6 * p.InputWidth(1), x[1].Length);
        Assert.All(x[1], v => Assert.True(v is 1 or -1));
        var rows = MixingSurvey.Scan(p, x, 6, 0, [0.5, 1.0], [0.5], 2, 4, 64, 3);
        Assert.Equal(4, rows.Count);
        var b0 = rows.Where(r => r.Block == 0).OrderBy(r => r.Beta).ToList();
        Assert.Equal(2 * b0[0].Alpha, b0[1].Alpha, 4);            // α is linear in β
        Assert.True(b0[0].Output.Pooled.Tau <= b0[1].Output.Pooled.Tau + 0.1);
        // A scan over the first 4 of the 6 examples (as `thermo schedule autocorr` does with more examples than it scans).
        Assert.Equal(2, MixingSurvey.Scan(p, x, 4, 0, [1.0], [0.5], 2, 4, 32, 3).Count);
    }
}
