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

    /// <summary>Box–Muller in double precision from the same words: the reference of FillNormal.</summary>
    static double ReferenceNormal(ulong seed, ulong stream, ulong index)
    {
        var (a, b, c, d) = Philox.Block(seed, stream, index / 4);
        uint w0 = (index % 4) < 2 ? a : c, w1 = (index % 4) < 2 ? b : d;
        double r = Math.Sqrt(-2 * Math.Log(Philox.ToUniformOpenZero(w0))), theta = 2 * Math.PI * Philox.ToUniform(w1);
        return index % 2 == 0 ? r * Math.Cos(theta) : r * Math.Sin(theta);
    }

    [Fact]
    public void FillNormal_is_within_a_few_ulp_of_double_precision_Box_Muller_and_offset_independent()
    {
        var z = new float[200_001];
        Philox.FillNormal(3, 8, 40, z);
        double worst = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double expected = ReferenceNormal(3, 8, (ulong)(40 + i));
            // Relative error of ln (≈1 ulp), √, sin/cos after exact reduction (≈1 ulp) and the products: ≤ 8 ulp.
            double err = Math.Abs(z[i] - expected), tol = 8 * 6e-8 * Math.Abs(expected) + 1e-30;
            worst = Math.Max(worst, err / Math.Max(Math.Abs(expected), 1e-30));
            Assert.True(err <= tol, $"element {i}: {z[i]:R} vs {expected:R}");
        }
        var tail = new float[5000];
        Philox.FillNormal(3, 8, 40 + 4096, tail);
        Assert.True(tail.AsSpan().SequenceEqual(z.AsSpan(4096, 5000)));
    }

    [Fact]
    public void FillNormal_is_the_scalar_transform_of_each_block_in_vector_groups_and_tails()
    {
        // 100_003 elements from offset 16: vector groups of 64 and a scalar tail; then the same numbers in pieces.
        var expected = new float[100_003];
        for (int i = 0; i < expected.Length; i += 4)
        {
            var (a, b, c, d) = Philox.Block(11, 12, (ulong)(16 + i) / 4);
            BoxMuller.Pair(a, b, out float z0, out float z1);
            BoxMuller.Pair(c, d, out float z2, out float z3);
            float[] four = [z0, z1, z2, z3];
            for (int k = 0; k < 4 && i + k < expected.Length; k++) expected[i + k] = four[k];
        }
        var z = new float[expected.Length];
        Philox.FillNormal(11, 12, 16, z);
        Thermo.Tests.Kernels.ElementwiseTests.AssertBitwise(expected, z, "normals");
        var pieces = new float[expected.Length];
        for (int start = 0; start < pieces.Length; start += 4 * 1001)
            Philox.FillNormal(11, 12, (ulong)(16 + start), pieces.AsSpan(start, Math.Min(4 * 1001, pieces.Length - start)));
        Thermo.Tests.Kernels.ElementwiseTests.AssertBitwise(expected, pieces, "normals in pieces of 4004");
    }

    [Fact]
    public void Box_Muller_reduces_the_angle_exactly_at_the_quarter_turns()
    {
        // u = 1 gives r = +0; angle words at the quarter turns give exact axes (sin, cos of a residual of 0).
        uint one = 0xFFFFFFFFu;   // ⌊a/2⁸⌋ + 1 = 2²⁴: u = 1
        BoxMuller.Pair(one, 0, out float z0, out float z1);
        Assert.Equal(0f, z0); Assert.Equal(0f, z1);
        Assert.False(float.IsNegative(z0));
        uint u = 0x7FFFFF00u;     // u ≈ ½
        double r = Math.Sqrt(-2 * Math.Log(Philox.ToUniformOpenZero(u)));
        foreach (var (quarter, cos, sin) in new[] { (0u, 1.0, 0.0), (1u, 0.0, 1.0), (2u, -1.0, 0.0), (3u, 0.0, -1.0) })
        {
            BoxMuller.Pair(u, quarter << 30, out float c, out float s);
            Assert.True(Math.Abs(c - r * cos) <= 4e-7 * r, $"quarter {quarter}: r·cos = {c}");
            Assert.True(Math.Abs(s - r * sin) <= 4e-7 * r, $"quarter {quarter}: r·sin = {s}");
        }
    }
}
