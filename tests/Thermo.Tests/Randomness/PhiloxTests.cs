using Thermo.Randomness;

namespace Thermo.Tests.Randomness;

public class PhiloxTests
{
    // Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Block_matches_Random123_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        var (x0, x1, x2, x3) = Philox.Block(c0, c1, c2, c3, k0, k1);
        Assert.Equal((e0, e1, e2, e3), (x0, x1, x2, x3));
    }

    [Fact]
    public void FillUniform_element_is_independent_of_offset_and_chunking()
    {
        var whole = new float[37];
        Philox.FillUniform(7, 3, 0, whole);
        var part = new float[20];
        Philox.FillUniform(7, 3, 17, part);
        for (int i = 0; i < 20; i++) Assert.Equal(whole[17 + i], part[i]);
        for (int i = 0; i < 37; i++) Assert.Equal(whole[i], Philox.Uniform(7, 3, (ulong)i));
    }

    [Fact]
    public void Uniforms_have_the_moments_of_U01()
    {
        const int n = 1 << 20;
        var u = new float[n];
        Philox.FillUniform(1, 2, 0, u);
        double mean = u.Average(v => (double)v), var = u.Average(v => (v - mean) * (v - mean));
        // Standard errors: sqrt(1/12/n) ≈ 2.8e-4 for the mean; allow 5σ.
        Assert.InRange(mean, 0.5 - 1.5e-3, 0.5 + 1.5e-3);
        Assert.InRange(var, 1.0 / 12 - 1e-3, 1.0 / 12 + 1e-3);
    }

    [Fact]
    public void Normals_have_unit_variance()
    {
        const int n = 1 << 20;
        var z = new float[n];
        Philox.FillNormal(5, 0, 0, z);
        double mean = z.Average(v => (double)v), var = z.Average(v => (v - mean) * (v - mean));
        // se(mean) = 1e-3, se(var) ≈ sqrt(2/n) = 1.4e-3; allow 5σ.
        Assert.InRange(mean, -5e-3, 5e-3);
        Assert.InRange(var, 1 - 7e-3, 1 + 7e-3);
    }

    [Fact]
    public void FillNormal_matches_the_scalar_Box_Muller_reference_and_is_offset_independent()
    {
        var z = new float[10_001];
        Philox.FillNormal(3, 8, 40, z);
        for (int i = 0; i < z.Length; i++)
        {
            var (a, b, c, d) = Philox.Block(3, 8, (ulong)(40 + i) / 4);
            uint w0 = (i % 4) < 2 ? a : c, w1 = (i % 4) < 2 ? b : d;
            double r = Math.Sqrt(-2 * Math.Log(Philox.ToUniformOpenZero(w0))), theta = 2 * Math.PI * Philox.ToUniform(w1);
            double expected = i % 2 == 0 ? r * Math.Cos(theta) : r * Math.Sin(theta);
            Assert.True(Math.Abs(z[i] - expected) <= 2e-5 * Math.Max(1, Math.Abs(expected)), $"element {i}: {z[i]} vs {expected}");
        }
        var tail = new float[5000];
        Philox.FillNormal(3, 8, 40 + 4096, tail);
        Assert.True(tail.AsSpan().SequenceEqual(z.AsSpan(4096, 5000)));
    }
}
