using Thermo.Blocks;
using Thermo.Analysis;

namespace Thermo.Tests.Analysis;

public class ScheduleOptimizerTests
{
    /// <summary>acc = 1 − Σ_b a_b/G_b − (penalty for even G_b ≤ 8, like sign-average ties) − burn-in bias e^(−T_b).</summary>
    sealed class SyntheticModel(double[] a, double evenPenalty = 0, double burnBias = 0) : IAccuracyModel
    {
        public int Blocks => a.Length;
        public double PredictAccuracy(BlockSchedule s)
        {
            double err = 0;
            for (int b = 0; b < a.Length; b++)
            {
                err += a[b] / s.Samples[b];
                if (s.Samples[b] % 2 == 0 && s.Samples[b] <= 8) err += evenPenalty * a[b];
                err += burnBias * Math.Exp(-s.BurnIn[b]);
            }
            return 1 - err;
        }
    }

    static readonly int[] SmallGrid = Enumerable.Range(1, 40).ToArray();

    [Theory]
    [InlineData(0.995, 0.0)]
    [InlineData(0.98, 0.0)]
    [InlineData(0.99, 0.3)]
    [InlineData(0.97, 0.5)]
    public void Coordinate_search_finds_the_brute_force_optimum(double target, double evenPenalty)
    {
        var model = new SyntheticModel([0.02, 0.05, 0.01], evenPenalty);
        long[] spins = [40000, 20000, 600];
        var opt = new ScheduleOptimizer(model, spins, SmallGrid);
        var found = opt.MinimiseCost(target);
        var exact = new ScheduleOptimizer(model, spins, SmallGrid).BruteForce(target);
        Assert.NotNull(found); Assert.NotNull(exact);
        Assert.True(opt.Accuracy(found!) >= target);
        Assert.Equal(exact!.Cost(spins), found!.Cost(spins));
        Assert.True(opt.Evaluations < 40 * 40 * 40 / 4, $"{opt.Evaluations} evaluations");
    }

    [Fact]
    public void Burn_in_candidates_are_searched_with_the_samples()
    {
        var model = new SyntheticModel([0.02, 0.01], burnBias: 0.01);
        long[] spins = [1000, 100];
        int[][] burn = [[0, 1, 2, 3, 4, 6, 8], [0, 1, 2, 3, 4, 6, 8]];
        var found = new ScheduleOptimizer(model, spins, SmallGrid, burn).MinimiseCost(0.99);
        var exact = new ScheduleOptimizer(model, spins, SmallGrid, burn).BruteForce(0.99);
        Assert.Equal(exact!.Cost(spins), found!.Cost(spins));
    }

    [Fact]
    public void Budget_search_matches_brute_force_accuracy()
    {
        var model = new SyntheticModel([0.02, 0.05, 0.01], 0.3);
        long[] spins = [40000, 20000, 600];
        foreach (double budget in new[] { 3e5, 1e6, 2.5e6 })
        {
            var opt = new ScheduleOptimizer(model, spins, SmallGrid);
            var found = opt.MaximiseAccuracy(budget)!;
            Assert.True(found.Cost(spins) <= budget);
            double best = double.NegativeInfinity;
            foreach (int g0 in SmallGrid) foreach (int g1 in SmallGrid) foreach (int g2 in SmallGrid)
            {
                var s = new BlockSchedule([g0, g1, g2], [0, 0, 0]);
                if (s.Cost(spins) <= budget) best = Math.Max(best, model.PredictAccuracy(s));
            }
            Assert.Equal(best, opt.Accuracy(found), 12);
        }
    }

    [Fact]
    public void Integer_optimum_of_the_separable_law_is_close_to_the_continuous_one()
    {
        double[] a = [0.02, 0.05, 0.01];
        long[] spins = [40000, 20000, 600];
        double eps = 0.004;
        var (g, cost) = ScheduleOptimizer.SeparableOptimum(a, spins.Select(s => (double)s).ToArray(), eps);
        // Lagrange condition: a_b/G_b² ∝ c_b, and the budget is used exactly.
        Assert.Equal(eps, a.Select((v, b) => v / g[b]).Sum(), 12);
        Assert.Equal(a[0] / (g[0] * g[0] * spins[0]), a[2] / (g[2] * g[2] * spins[2]), 12);
        var model = new SyntheticModel(a);
        var grid = Enumerable.Range(1, 100).ToArray();
        var found = new ScheduleOptimizer(model, spins, grid).MinimiseCost(1 - eps)!;
        double integerCost = found.Cost(spins);
        Assert.InRange(integerCost, cost, 1.05 * cost);
        for (int b = 0; b < 3; b++) Assert.InRange(found.Samples[b], 0.8 * g[b], 1.25 * g[b] + 1);
    }

    [Fact]
    public void Unreachable_targets_and_budgets_give_null()
    {
        var model = new SyntheticModel([0.5, 0.5]);
        var opt = new ScheduleOptimizer(model, [10, 10], SmallGrid);
        Assert.Null(opt.MinimiseCost(0.99));
        Assert.Null(opt.MaximiseAccuracy(5));
    }
}

public class AccuracyLawTests
{
    [Fact]
    public void Fits_recover_the_asymptote_coefficient_and_exponent()
    {
        double[] g = [8, 16, 32, 64, 128, 256, 512, 1024];
        var acc = g.Select(v => 0.98 - 0.3 / v).ToArray();
        var law = AccuracyLaw.Fit(g, acc, null, 1, 8);
        Assert.Equal(0.98, law.Asymptote, 10);
        Assert.Equal(0.3, law.K, 10);
        Assert.Equal(0.15, law.C(2), 10);
        var sqrt = g.Select(v => 0.95 - 0.2 / Math.Sqrt(v)).ToArray();
        var free = AccuracyLaw.FitExponent(g, sqrt, null, 8);
        Assert.Equal(0.5, free.Gamma, 6);
        Assert.Equal(0.95, free.Asymptote, 6);
        Assert.Equal(0.95 - 0.2 / 10, free.At(100), 6);
    }
}
