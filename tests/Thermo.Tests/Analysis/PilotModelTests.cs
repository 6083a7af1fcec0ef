using Thermo.Blocks;
using Thermo.Analysis;

namespace Thermo.Tests.Analysis;

public class PilotModelTests
{
    [Fact]
    public void Predicted_accuracy_matches_measured_accuracy_within_the_combined_error()
    {
        var net = TinyBlockNets.TwoDense(8, w2Scale: 2f);
        var (pixels, _, labels) = TinyBlockNets.Images(60, 9);
        var pipeline = new BlockPipeline(net);
        var x = pipeline.InputSpins(pixels);
        int[] gs = [1, 2, 3, 8, 40];
        var model = PilotModel.Fit(pipeline, x, labels, 0, gs.Select(g => new[] { g }),
            new PilotOptions { PoolSamples = 16, LastBlockSamples = 16, Draws = 16, PoolChains = 8, BurnIn = 2, Seed = 777 });
        var measured = ScheduleMeasurement.Measure(pipeline, x, labels, 0, gs.Select(g => BlockSchedule.Uniform(2, g, 2)).ToList(), 24, 1);
        foreach (var m in measured)
        {
            var (p, se) = model.PredictWithError(m.Schedule);
            double tol = 4 * Math.Sqrt(se * se + m.StandardError * m.StandardError) + 0.01;
            Assert.True(Math.Abs(p - m.Accuracy) < tol, $"{m.Schedule}: predicted {p:F3} ± {se:F3}, measured {m.Accuracy:F3} ± {m.StandardError:F3}");
        }
        Assert.True(model.PilotSpinUpdates > 0);
        Assert.True(model.UpstreamVariance([1]) >= model.UpstreamVariance([40]));
        Assert.Throws<ArgumentException>(() => model.PredictAccuracy(BlockSchedule.Uniform(2, 5, 2)));   // upstream G = 5 not piloted
    }

    [Theory]
    [InlineData(false)]   // intermediate block by Gibbs (nested pools)
    [InlineData(true)]    // intermediate block by mean field
    public void Three_block_predictions_match_measurements(bool meanField)
    {
        var net = TinyBlockNets.ThreeDense(11);
        var (pixels, _, labels) = TinyBlockNets.Images(50, 12);
        var pipeline = new BlockPipeline(net);
        var x = pipeline.InputSpins(pixels);
        int[] gs = [1, 3, 9];
        var model = PilotModel.Fit(pipeline, x, labels, 0, gs.Select(g => new[] { g, g }).Append([3, 9]),
            new PilotOptions { PoolSamples = 16, LastBlockSamples = 16, Draws = 16, PoolChains = 4, IntermediateRuns = 4, BurnIn = 2, Seed = 778, MeanFieldIntermediate = meanField });
        Assert.Equal(16, model.Draws);
        var schedules = gs.Select(g => BlockSchedule.Uniform(3, g, 2)).Append(new BlockSchedule([3, 9, 5], [2, 2, 1])).ToList();
        var measured = ScheduleMeasurement.Measure(pipeline, x, labels, 0, schedules, 24, 1);
        foreach (var m in measured)
        {
            var (p, se) = model.PredictWithError(m.Schedule);
            // Mean field is an approximation: allow it 0.08 of systematic error on this tiny, strongly coupled net.
            double tol = 4 * Math.Sqrt(se * se + m.StandardError * m.StandardError) + (meanField ? 0.08 : 0.01);
            Assert.True(Math.Abs(p - m.Accuracy) < tol, $"{m.Schedule}: predicted {p:F3} ± {se:F3}, measured {m.Accuracy:F3} ± {m.StandardError:F3}");
        }
    }

    [Fact]
    public void A_pilot_whose_traces_exceed_the_memory_budget_is_refused_before_it_runs()
    {
        var net = TinyBlockNets.ThreeDense(11);
        var (pixels, _, labels) = TinyBlockNets.Images(10, 12);
        var pipeline = new BlockPipeline(net);
        var x = pipeline.InputSpins(pixels);
        int[][] upstream = [[1, 1], [1, 3], [3, 1], [3, 3]];
        var options = new PilotOptions { PoolSamples = 8, LastBlockSamples = 8, Draws = 4, BurnIn = 2 };
        // 4 schedules × 10 examples × 4 draws × (2 + 8) sweeps × classes bytes.
        long bytes = 4L * 10 * 4 * 10 * pipeline.Classes;
        var refused = Assert.Throws<ArgumentException>(() => PilotModel.Fit(pipeline, x, labels, 0, upstream, options with { MaxTraceBytes = bytes - 1 }));
        Assert.Contains("4 upstream schedules × 10 examples × 4 draws × 10 sweeps", refused.Message);
        Assert.Equal(4, PilotModel.Fit(pipeline, x, labels, 0, upstream, options with { MaxTraceBytes = bytes }).UpstreamKeys.Count);   // exactly at the budget
    }
}
