using Thermo.Blocks;

namespace Thermo.Tests.Blocks;

public class BlockScheduleTests
{
    [Theory]
    [InlineData("64", 3, 4, "64/4,64/4,64/4")]
    [InlineData("64/0", 3, 4, "64/0,64/0,64/0")]
    [InlineData("9,17,33", 3, 4, "9/4,17/4,33/4")]
    [InlineData(" 9/4, 17/4 ,33/0 ", 3, 1, "9/4,17/4,33/0")]
    [InlineData("5/2,7", 2, 3, "5/2,7/3")]
    public void Parse_reads_every_spelling_into_G_and_burn_in_per_block(string text, int blocks, int burnIn, string expected)
    {
        var schedule = BlockSchedule.Parse(text, blocks, burnIn);
        Assert.Equal(expected, schedule.ToString());
        Assert.Equal(schedule, BlockSchedule.Parse(schedule.ToString(), blocks, burnIn: 99));
    }

    [Fact]
    public void A_block_schedule_is_a_sampling_schedule_per_block_and_costs_their_sweeps()
    {
        var schedule = BlockSchedule.Parse("3/2,5/0", 2, 0);
        Assert.Equal(new Thermo.Sampling.Schedule(2, 3), schedule.Block(0));
        Assert.Equal(new Thermo.Sampling.Schedule(0, 5), schedule.Block(1));
        Assert.False(schedule.HasUniformBurnIn);
        Assert.True(BlockSchedule.Uniform(2, 3, 2).HasUniformBurnIn);
        // Σ_b n_b (T_b + G_b) = 10·5 + 7·5.
        Assert.Equal(85, schedule.Cost([10, 7]));
        Assert.Equal(10L * 5 * 3 * 4, schedule.Block(0).SpinUpdates(10, chains: 3 * 4));
    }

    [Theory]
    [InlineData("", "got 0")]
    [InlineData("1,2,3", "(2 blocks), got 3")]
    [InlineData("0", "'0' is not an integer from 1")]
    [InlineData("4/-2", "burn-in '-2'")]
    [InlineData("4/2/1", "'4/2/1'")]
    public void Parse_refuses_what_is_not_a_schedule_of_the_network(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => BlockSchedule.Parse(text, 2, 4, "--schedule"));
        Assert.StartsWith("--schedule: ", e.Message);
        Assert.Contains(message, e.Message);
    }
}
