using Thermo.Langevin;

namespace Thermo.Tests.Langevin;

public class LangevinNoiseTests
{
    [Fact]
    public void Fill_matches_the_scalar_definition_bit_for_bit()
    {
        var filled = new float[64 * 257];
        LangevinNoise.Fill(42, 0xABCDEF12345UL, 3, filled);
        for (int i = 0; i < filled.Length; i++)
            Assert.Equal(LangevinNoise.Normal(42, 0xABCDEF12345UL, 3 * 64 + (ulong)i), filled[i]);
    }

    [Fact]
    public void Own_log_and_sincos_are_accurate_to_a_few_ulp()
    {
        for (int k = 1; k <= 1 << 24; k += 997)
        {
            float u = k / 16777216f;
            Assert.True(Math.Abs(LangevinNoise.Log(u) - Math.Log(u)) <= 2.5e-7 * Math.Max(1, Math.Abs(Math.Log(u))), $"log({u})");
            LangevinNoise.SinCosTwoPi(u, out float s, out float c);
            Assert.True(Math.Abs(s - Math.Sin(2 * Math.PI * u)) <= 3e-7, $"sin(2π·{u})");
            Assert.True(Math.Abs(c - Math.Cos(2 * Math.PI * u)) <= 3e-7, $"cos(2π·{u})");
        }
    }

    [Fact]
    public void Normals_have_the_moments_of_a_standard_gaussian()
    {
        const int n = 1 << 20;
        var z = new float[n];
        LangevinNoise.Fill(7, 11, 0, z);
        double m1 = 0, m2 = 0, m3 = 0, m4 = 0, lag = 0;
        for (int i = 0; i < n; i++)
        {
            double v = z[i];
            m1 += v; m2 += v * v; m3 += v * v * v; m4 += v * v * v * v;
            if (i > 0) lag += v * z[i - 1];
        }
        m1 /= n; m2 /= n; m3 /= n; m4 /= n; lag /= n - 1;
        // Standard errors for n = 2^20: mean 1e-3, E[z²] √2/√n = 1.4e-3, E[z³] √15/√n = 3.8e-3,
        // E[z⁴] √96/√n = 9.6e-3, lag-1 product 1e-3. Allow 5σ.
        Assert.InRange(m1, -5e-3, 5e-3);
        Assert.InRange(m2, 1 - 7e-3, 1 + 7e-3);
        Assert.InRange(m3, -1.9e-2, 1.9e-2);
        Assert.InRange(m4, 3 - 4.8e-2, 3 + 4.8e-2);
        Assert.InRange(lag, -5e-3, 5e-3);
    }

    [Fact]
    public void Different_streams_are_uncorrelated()
    {
        const int n = 1 << 18;
        var a = new float[n];
        var b = new float[n];
        LangevinNoise.Fill(1, 100, 0, a);
        LangevinNoise.Fill(1, 101, 0, b);
        double c = 0;
        for (int i = 0; i < n; i++) c += (double)a[i] * b[i];
        c /= n;
        Assert.InRange(c, -5.0 / Math.Sqrt(n), 5.0 / Math.Sqrt(n));
    }
}
