using Thermo.Blocks;
using Thermo.Analysis;
using Thermo.Reports;
using Thermo.Tensors;

namespace Thermo.Tests.Analysis;

public class ScheduleComparisonTests
{
    static OperatingPoint Point(double cost, double acc) => new("m", "", cost, acc, double.NaN, double.NaN, new CostLedger([cost], [0], 0));

    /// <summary>A two-block tiny network on 40 images and its pilot over the upstream <paramref name="grid"/>.</summary>
    static (BlockPipeline P, sbyte[] X, float[] Floats, int[] Labels, PilotModel Pilot) TinyPilot(int[] grid)
    {
        var p = new BlockPipeline(TinyBlockNets.TwoDense(8, w2Scale: 2f));
        var (pixels, floats, labels) = TinyBlockNets.Images(40, 9);
        var x = p.InputSpins(pixels);
        var pilot = PilotModel.Fit(p, x, labels, 0, grid.Select(g => new[] { g }), new PilotOptions { PoolSamples = 16, LastBlockSamples = 16, Draws = 4, BurnIn = 2 });
        return (p, x, floats, labels, pilot);
    }

    [Fact]
    public void Cost_at_target_interpolates_accuracy_linearly_in_log_cost()
    {
        var pts = new[] { Point(100, 0.80), Point(400, 0.90), Point(1600, 0.95), Point(200, 0.70) };
        Assert.Equal(200, ScheduleComparison.CostAt(pts, 0.85), 9);            // halfway between 100 and 400 in log cost
        Assert.Equal(100, ScheduleComparison.CostAt(pts, 0.75), 9);            // the cheapest point already reaches it
        Assert.True(double.IsNaN(ScheduleComparison.CostAt(pts, 0.99)));
    }

    [Fact]
    public void Comparison_measures_all_three_methods_on_the_same_examples()
    {
        int[] grid = [1, 3, 5, 9, 17];
        var (p, x, floats, labels, pilot) = TinyPilot(grid);
        int count = labels.Length;
        var options = new ComparisonOptions
        {
            UniformSamples = [1, 3, 9, 17], BurnIn = 2, TargetAccuracy = 0.2, Epsilons = [0.3, 0.01], LadderScales = [0.25, 1], TargetMargins = [0], Seed = 5,
        };
        var r = ScheduleComparison.Run(p, x, labels, 0, pilot, grid, options);
        Assert.Equal(["uniform", "optimal", "adaptive"], r.Points.Select(q => q.Method).Distinct());
        Assert.Equal(4 + 1 + 2, r.Points.Count);
        Assert.All(r.Ladder, s => Assert.Contains(s.Samples[0], grid));
        Assert.Equal(0.2, r.Target);

        // Uniform and optimal points: the accuracy and cost that evaluation (one chain, the comparison's seed) gives
        // for that schedule on exactly these examples.
        var images = new Tensor(floats, count, 1, 8, 8);
        foreach (var q in r.Points.Where(q => q.Method != "adaptive"))
        {
            var schedule = BlockSchedule.Parse(q.Label, p.Blocks, 0);
            var evaluated = p.Evaluate(images, schedule, chains: 1, seed: options.Seed);
            int correct = Enumerable.Range(0, count).Count(i =>
                BlockPipeline.ArgMax(evaluated.Scores.AsSpan(i * p.Classes, p.Classes).ToArray().Select(v => (double)v).ToArray()) == labels[i]);
            Assert.True((double)correct / count == q.Accuracy, $"{q.Method} {q.Label}: measured {q.Accuracy}, evaluation of the same examples {correct}/{count}");
            Assert.Equal((double)evaluated.SpinUpdates.Sum() / count, q.Cost);
        }
        // Adaptive points: the adaptive sampler on the same examples, with the comparison's ladder and seed.
        int last = p.Blocks - 1;
        var upstream = r.Ladder.Select(s => pilot.UpstreamVariance(s.Samples[..last])).ToList();
        foreach (var (q, eps) in r.Points.Where(q => q.Method == "adaptive").Zip(options.Epsilons))
        {
            var alone = AdaptiveSampler.Run(p, x, labels, 0,
                new AdaptiveOptions { Ladder = r.Ladder, Epsilon = eps, Tau = pilot.LastBlockTau, UpstreamVariance = upstream, Batch = options.Batch }, options.Seed);
            Assert.Equal(count, alone.Correct.Length);
            Assert.Equal(alone.Accuracy, q.Accuracy);
            Assert.Equal(alone.MeanCost, q.Cost);
        }
    }

    [Fact]
    public void A_target_the_pilot_never_predicts_is_reported_with_the_pilots_best_instead_of_silently_dropping_optimal_and_adaptive()
    {
        int[] grid = [1, 3, 5];
        var (p, x, _, labels, pilot) = TinyPilot(grid);
        var largest = new BlockSchedule([5, ScheduleOptimizer.DefaultGrid(1024).Max()], [2, 2]);
        double best = pilot.PredictAccuracy(largest);
        Assert.True(best < 0.995, $"the tiny model's pilot predicts {best}; the test needs a target above it");
        var options = new ComparisonOptions { UniformSamples = [1, 3], BurnIn = 2, TargetAccuracy = 0.995, Epsilons = [0.3], TargetMargins = [0], Seed = 5 };
        var r = ScheduleComparison.Run(p, x, labels, 0, pilot, grid, options);
        Assert.Equal(["uniform"], r.Points.Select(q => q.Method).Distinct());
        Assert.Empty(r.Ladder);
        Assert.NotNull(r.OptimalUnreached);
        Assert.Contains("99.50%", r.OptimalUnreached);
        Assert.Contains($"{100 * best:F2}%", r.OptimalUnreached);
        Assert.Contains(largest.ToString(), r.OptimalUnreached);

        var reached = ScheduleComparison.Run(p, x, labels, 0, pilot, grid, options with { TargetAccuracy = 0.2 });
        Assert.Null(reached.OptimalUnreached);
    }

    [Fact]
    public void Comparison_report_renders_and_writes_even_when_a_method_misses_the_target()
    {
        // As in a real run where the optimal and adaptive points never reach A* (their cost at A* is NaN).
        var pts = new[] { Point(285300, 0.44), Point(970020, 0.979), Point(2111220, 0.995) }
            .Select((p, i) => p with { Method = "uniform", Label = $"{i}" })
            .Append(Point(974304, 0.98) with { Method = "optimal", Label = "13/4,13/4,23/1" })
            .Append(Point(865830, 0.984) with { Method = "adaptive", Label = "ε = 0.3" }).ToList();
        var costs = new Dictionary<string, double> { ["uniform"] = 1.1e6, ["optimal"] = double.NaN, ["adaptive"] = 8.7e5 };
        var result = new ComparisonResult(0.9825, pts, costs, [BlockSchedule.Uniform(3, 4, 4), BlockSchedule.Uniform(3, 16, 4)]);
        var report = RunReport.Start("comparison", ReportKind.Schedule, 1);
        InferenceReport.AddComparison(report, result);
        string dir = Path.Combine(Path.GetTempPath(), "thermo-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            report.Write(dir);
            Assert.True(File.Exists(Path.Combine(dir, "report.html")));
            Assert.True(File.Exists(Path.Combine(dir, "figures", "schedule-comparison.png")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
