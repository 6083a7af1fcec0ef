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
}
