using Thermo.Blocks;
using Thermo.Analysis;

namespace Thermo.Tests.Analysis;

public class AdaptiveSamplerTests
{
    [Fact]
    public void A_one_stage_ladder_is_the_fixed_schedule()
    {
        var net = TinyBlockNets.TwoDense(5);
        var (pixels, _, labels) = TinyBlockNets.Images(30, 4);
        var pipeline = new BlockPipeline(net);
        var x = pipeline.InputSpins(pixels);
        var s = new BlockSchedule([5, 9], [2, 2]);
        var fixedRun = ScheduleMeasurement.Measure(pipeline, x, labels, 10, [s], 1, 3)[0];
        var adaptive = AdaptiveSampler.Run(pipeline, x, labels, 10, new AdaptiveOptions { Ladder = [s], Batch = 7 }, 3);
        for (int i = 0; i < 30; i++) Assert.Equal(fixedRun.CorrectFraction[i] == 1, adaptive.Correct[i]);
        Assert.Equal(s.Cost(pipeline.FreeSpins), adaptive.MeanCost, 9);
        Assert.All(adaptive.StoppedAt, k => Assert.Equal(0, k));
    }

    [Fact]
    public void Stopping_early_charges_only_the_stages_run_and_the_first_block_continues()
    {
        var net = TinyBlockNets.TwoDense(6);
        var (pixels, _, labels) = TinyBlockNets.Images(40, 5);
        var pipeline = new BlockPipeline(net);
        var x = pipeline.InputSpins(pixels);
        BlockSchedule[] ladder = [new([3, 4], [2, 1]), new([7, 8], [2, 1]), new([15, 16], [2, 1])];
        var loose = AdaptiveSampler.Run(pipeline, x, labels, 0, new AdaptiveOptions { Ladder = ladder, Epsilon = 0.3 }, 9);
        var strict = AdaptiveSampler.Run(pipeline, x, labels, 0, new AdaptiveOptions { Ladder = ladder, Epsilon = 1e-6 }, 9);
        Assert.True(loose.MeanCost < strict.MeanCost, $"loose {loose.MeanCost}, strict {strict.MeanCost}");
        Assert.True(loose.StageCounts(3)[0] > strict.StageCounts(3)[0]);
        for (int i = 0; i < 40; i++)
        {
            int k = loose.StoppedAt[i];
            Assert.Equal(pipeline.FreeSpins[0] * ladder[k].Sweeps(0), loose.SpinUpdates[i][0]);               // block 0 continues
            Assert.Equal(pipeline.FreeSpins[1] * ladder.Take(k + 1).Sum(s => s.Sweeps(1)), loose.SpinUpdates[i][1]);   // block 1 restarts
            Assert.True(loose.DigitalOps[i] > 0);
        }
        Assert.Throws<ArgumentException>(() => AdaptiveSampler.Run(pipeline, x, labels, 0,
            new AdaptiveOptions { Ladder = [new([7, 4], [2, 1]), new([3, 8], [2, 1])] }, 1));
    }
}
