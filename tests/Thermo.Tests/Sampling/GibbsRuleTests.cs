using System.Runtime.Intrinsics;
using Thermo.Randomness;
using Thermo.Sampling;

namespace Thermo.Tests.Sampling;

public class GibbsRuleTests
{
    [Fact]
    public void Vector_exp_equals_scalar_exp_bit_for_bit_and_is_accurate()
    {
        var x = new float[4096];
        Philox.FillUniform(3, 0, 0, x);
        for (int i = 0; i < x.Length; i++) x[i] = (x[i] - 0.5f) * (i < 2048 ? 200f : 20f);
        x[0] = 0; x[1] = 87; x[2] = -87; x[3] = 1e30f; x[4] = -1e30f; x[5] = float.Epsilon;
        for (int i = 0; i < x.Length; i += 16)
        {
            var v = GibbsRule.Exp(Vector512.Create(x.AsSpan(i, 16)));
            for (int l = 0; l < 16; l++)
            {
                float s = GibbsRule.Exp(x[i + l]);
                Assert.Equal(BitConverter.SingleToInt32Bits(s), BitConverter.SingleToInt32Bits(v[l]));
                double clamped = Math.Clamp(x[i + l], -87.0, 87.0), exact = Math.Exp(clamped);
                Assert.True(Math.Abs(s - exact) <= 3e-7 * exact, $"exp({x[i + l]}) = {s}, exact {exact}");
            }
        }
    }

    [Fact]
    public void Vector_update_equals_scalar_update()
    {
        var u = new float[1024];
        var words = new uint[1024];
        Philox.FillNormal(4, 0, 0, u);
        PhiloxVector.FillWords(4, 1, 0, words);
        foreach (float beta in new[] { 0.1f, 1f, 7.5f })
            for (int i = 0; i < u.Length; i += 16)
            {
                var mask = GibbsRule.UpdateMask(Vector512.Create(u.AsSpan(i, 16)) * 3f, beta, Vector512.Create(words.AsSpan(i, 16)));
                for (int l = 0; l < 16; l++)
                    Assert.Equal(GibbsRule.Update(u[i + l] * 3f, beta, words[i + l]) == 1, mask[l] != 0);
            }
    }

    [Theory]
    [InlineData(0.0f)]
    [InlineData(0.4f)]
    [InlineData(-1.3f)]
    public void Update_is_up_with_probability_sigmoid_of_two_beta_u(float field)
    {
        const int n = 200_000;
        var words = new uint[n];
        PhiloxVector.FillWords(9, 2, 0, words);
        int up = 0;
        foreach (uint w in words) if (GibbsRule.Update(field, 1.5f, w) == 1) up++;
        double p = 1 / (1 + Math.Exp(-2 * 1.5 * field)), se = Math.Sqrt(p * (1 - p) / n);
        Assert.InRange((double)up / n, p - 5 * se, p + 5 * se);
    }

    [Fact]
    public void Schedule_places_samples_after_burn_in_every_k_sweeps()
    {
        var s = new Schedule(burnIn: 3, samples: 4, sweepsPerSample: 2);
        Assert.Equal(11, s.TotalSweeps);
        var samples = Enumerable.Range(0, s.TotalSweeps).Select(s.SampleAt).ToArray();
        Assert.Equal(new[] { -1, -1, -1, -1, 0, -1, 1, -1, 2, -1, 3 }, samples);
        var annealed = new Schedule(0, 10, annealStart: 0.5f, annealSweeps: 4);
        Assert.Equal(0.5f, annealed.BetaFactor(0));
        Assert.Equal(0.75f, annealed.BetaFactor(2));
        Assert.Equal(1f, annealed.BetaFactor(4));
        Assert.Throws<ArgumentException>(() => new Schedule(-1, 3));
        Assert.Throws<ArgumentException>(() => new Schedule(1, 3, 0));
    }

    [Fact]
    public void Shard_ranges_tile_the_items_and_parse()
    {
        int covered = 0;
        for (int i = 0; i < 7; i++)
        {
            var (a, b) = new Shard(i, 7).Range(23);
            Assert.Equal(covered, a);
            covered = b;
        }
        Assert.Equal(23, covered);
        Assert.Equal(new Shard(2, 5), Shard.Parse("2/5"));
        Assert.Throws<ArgumentException>(() => Shard.Parse("5/5"));
        Assert.Throws<ArgumentException>(() => Shard.Parse("x"));
    }
}
