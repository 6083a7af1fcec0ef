namespace Thermo.Tests.Kernels;

/// <summary>Comparisons of fast kernels with their references under float rounding bounds.</summary>
public static class KernelAssert
{
    /// <summary>
    /// |actual − expected| ≤ 2(terms + 2)·ε·magnitude + 1e-30 element by element: the forward error bound of
    /// a float sum of <paramref name="terms"/> products, doubled for the two implementations.
    /// </summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, ReadOnlySpan<double> magnitude, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double eps = MathF.BitIncrement(1f) - 1f;
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = 2.0 * (terms + 2) * eps * magnitude[i] + 1e-30;
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (!(err <= tol))
                Assert.Fail($"{what}: element {i} is {actual[i]}, reference {expected[i]} (error {err:G3} > bound {tol:G3})");
        }
    }

    /// <summary>Deterministic values in [−1, 1) from a seed.</summary>
    public static float[] Random(int length, int seed)
    {
        var r = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        return x;
    }
}
