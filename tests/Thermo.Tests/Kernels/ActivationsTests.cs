using Thermo.Kernels;

namespace Thermo.Tests.Kernels;

public class ActivationsTests
{
    [Fact]
    public void Tanh_is_within_8_ulp_of_the_exact_value_on_every_lane_and_tail()
    {
        // 100003 values: odd length, so the 16- and 8-wide loops and the scalar tail all run.
        var x = new float[100_003];
        var r = new Random(11);
        for (int i = 0; i < x.Length; i++) x[i] = (float)((r.NextDouble() * 2 - 1) * Math.Pow(10, r.Next(-6, 2)));
        x[0] = 0; x[1] = -0f; x[2] = 9f; x[3] = -30f; x[4] = float.PositiveInfinity; x[5] = float.NegativeInfinity;
        var y = new float[x.Length];
        Activations.Tanh(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Tanh(x[i]);
            double tol = 8 * (MathF.BitIncrement(MathF.Abs((float)exact)) - MathF.Abs((float)exact)) + 1e-30;
            Assert.True(Math.Abs(y[i] - exact) <= tol, $"tanh({x[i]}) = {y[i]}, exact {exact}");
        }
        var nan = new float[] { float.NaN };
        Activations.Tanh(nan, nan);
        Assert.True(float.IsNaN(nan[0]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TanhBackward_is_g_times_one_minus_y_squared_overwriting_or_accumulating(bool overwrite)
    {
        int n = 70_001;
        var g = KernelAssert.Random(n, 1); var y = KernelAssert.Random(n, 2); var sink = KernelAssert.Random(n, 3);
        var expected = new float[n];
        for (int i = 0; i < n; i++) expected[i] = (overwrite ? 0 : sink[i]) + g[i] * (1 - y[i] * y[i]);
        Activations.TanhBackward(g, y, sink, overwrite);
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], sink[i], 1e-6f);
    }
}
