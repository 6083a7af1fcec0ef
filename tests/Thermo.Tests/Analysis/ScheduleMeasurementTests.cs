using Thermo.Analysis;
using Thermo.Blocks;
using Thermo.Tensors;

namespace Thermo.Tests.Analysis;

public class ScheduleMeasurementTests
{
    [Fact]
    public void Shared_prefix_runs_reproduce_evaluation_for_every_schedule_including_a_burn_in_per_block()
    {
        var net = TinyBlockNets.TwoDense(3);
        var (pixels, floats, labels) = TinyBlockNets.Images(24, 5);
        var pipeline = new BlockPipeline(net);
        var schedules = new[]
        {
            BlockSchedule.Uniform(2, 1, 2), BlockSchedule.Uniform(2, 4, 2), new BlockSchedule([4, 9], [2, 2]),
            new BlockSchedule([9, 4], [2, 3]), new BlockSchedule([9, 9], [0, 3]),
        };
        var outcomes = ScheduleMeasurement.Measure(pipeline, pipeline.InputSpins(pixels), labels, 100, schedules, 1, 17, batch: 10);
        var images = new Tensor(floats, 24, 1, 8, 8);
        foreach (var (s, o) in schedules.Zip(outcomes))
        {
            Assert.Equal(s, o.Schedule);
            Assert.Equal(s.Cost(pipeline.FreeSpins), o.Cost);
            var r = pipeline.Evaluate(images, s, 1, 17, firstIndex: 100);
            for (int i = 0; i < 24; i++)
            {
                var scores = r.Scores.AsSpan(i * net.Classes, net.Classes).ToArray().Select(v => (double)v).ToArray();
                bool correct = BlockPipeline.ArgMax(scores) == labels[i];
                Assert.True((correct ? 1.0 : 0.0) == o.CorrectFraction[i], $"schedule {s}, example {i}: evaluator scores [{string.Join(", ", scores)}], label {labels[i]}");
            }
            Assert.Equal((double)r.SpinUpdates.Sum() / 24, o.Cost);
        }
    }

    [Fact]
    public void Replicates_average_independent_runs()
    {
        var net = TinyBlockNets.TwoDense(4);
        var (pixels, _, labels) = TinyBlockNets.Images(12, 6);
        var pipeline = new BlockPipeline(net);
        var s = BlockSchedule.Uniform(2, 2, 1);
        var three = ScheduleMeasurement.Measure(pipeline, pipeline.InputSpins(pixels), labels, 0, [s], 3, 40)[0];
        var singles = Enumerable.Range(0, 3).Select(r => ScheduleMeasurement.Measure(pipeline, pipeline.InputSpins(pixels), labels, 0, [s], 1, 40 + (ulong)r)[0]).ToList();
        for (int i = 0; i < 12; i++) Assert.Equal(singles.Average(o => o.CorrectFraction[i]), three.CorrectFraction[i], 12);
        Assert.False(double.IsNaN(three.StandardError));
        // One replicate: the binomial upper bound √(a(1 − a)/N).
        double a = singles[0].Accuracy;
        Assert.Equal(Math.Sqrt(a * (1 - a) / 12), singles[0].StandardError, 12);
    }
}
