using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

/// <summary>The device form of the heat-bath rule against <see cref="GibbsRule"/> and the hardware FMA (its references).</summary>
public class DeviceGibbsRuleTests
{
    static float Next(Random random) => (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 30)));

    [Fact]
    public void Software_fma_rounds_once_like_the_hardware_fma()
    {
        var random = new Random(5);
        for (int i = 0; i < 200_000; i++)
        {
            float x = Next(random), y = Next(random);
            // Every fourth case nearly cancels the product, where a separately rounded product would show.
            float z = i % 4 == 0 ? -(x * y) * (1 + (float)((random.NextDouble() - 0.5) * 1e-6)) : Next(random);
            float expected = MathF.FusedMultiplyAdd(x, y, z), actual = DeviceGibbsRule.SoftwareFma(x, y, z);
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"fma({x:R}, {y:R}, {z:R}): {expected:R} vs {actual:R}");
        }
    }

    [Fact]
    public void Bit_level_rounding_is_round_half_to_even()
    {
        for (int k = -260; k <= 260; k++)
        {
            float t = k * 0.5f;
            Assert.Equal((int)MathF.Round(t, MidpointRounding.ToEven), DeviceGibbsRule.RoundHalfEven(t));
        }
        var random = new Random(6);
        for (int i = 0; i < 100_000; i++)
        {
            float t = (float)((random.NextDouble() - 0.5) * 260);
            Assert.Equal((int)MathF.Round(t, MidpointRounding.ToEven), DeviceGibbsRule.RoundHalfEven(t));
        }
        Assert.Equal(0, DeviceGibbsRule.RoundHalfEven(1e-40f));
        Assert.Equal(0, DeviceGibbsRule.RoundHalfEven(-0f));
    }

    [Fact]
    public void Device_exp_and_update_equal_the_cpu_rule_bit_for_bit()
    {
        var random = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            float x = i < 1000 ? (i - 500) * 0.2f : (float)((random.NextDouble() - 0.5) * 200);
            Assert.Equal(BitConverter.SingleToInt32Bits(GibbsRule.Exp(x)), BitConverter.SingleToInt32Bits(DeviceGibbsRule.Exp(x)));
            float field = (float)((random.NextDouble() - 0.5) * 8), beta = (float)random.NextDouble() * 3;
            uint word = Philox.Block(9, 1, (ulong)i).X0;
            Assert.Equal(GibbsRule.Update(field, beta, word), DeviceGibbsRule.Update(field, beta, word));
        }
    }
}
