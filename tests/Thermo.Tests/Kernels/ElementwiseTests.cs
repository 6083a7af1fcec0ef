using Thermo.Kernels;

namespace Thermo.Tests.Kernels;

/// <summary>
/// The vectorised elementwise passes against plain loops of the expressions they replace: bit for bit, on lengths
/// that leave vector tails, below and above the threading threshold (64K elements), for 1, 2 and 3 threads.
/// </summary>
public class ElementwiseTests
{
    public static TheoryData<int> Lengths => new() { 1, 15, 17, 1_003, 65_535, 200_003 };

    /// <summary>Values in [−2, 2) with exact ±1, ±0, 1e−7 and the window edges sprinkled in, so every branch is taken.</summary>
    static float[] Inputs(int n, int seed)
    {
        var x = KernelAssert.Random(n, seed);
        float[] special = [0f, -0f, 1f, -1f, 1e-7f, -1e-7f, 2f, -2f, float.Epsilon];
        for (int i = 0; i < n; i++)
        {
            x[i] *= 2;
            if (i % 37 == 5) x[i] = special[i / 37 % special.Length];
        }
        return x;
    }

    /// <summary>Runs <paramref name="fast"/> with 1, 2 and 3 threads; the outputs must agree bit for bit with <paramref name="expected"/>.</summary>
    static void ForThreadCounts(float[] expected, Func<float[]> fast, string what)
    {
        int saved = ParallelRange.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                ParallelRange.Threads = threads;
                var actual = fast();
                AssertBitwise(expected, actual, $"{what}, {threads} thread(s)");
            }
        }
        finally { ParallelRange.Threads = saved; }
    }

    internal static void AssertBitwise(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, reference {expected[i]:R}");
    }

    static float[] MapReference(float[] x, Func<float, float> f)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = f(x[i]);
        return y;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sign_threshold_and_one_minus_square_equal_their_scalar_loops(int n)
    {
        var x = Inputs(n, 1);
        ForThreadCounts(MapReference(x, v => v >= 0f ? 1f : -1f), () => { var y = new float[n]; Elementwise.Sign(x, y); return y; }, "sign");
        ForThreadCounts(MapReference(x, v => v > 0.4f ? 1f : -1f), () => { var y = new float[n]; Elementwise.Threshold(x, 0.4f, y); return y; }, "threshold");
        ForThreadCounts(MapReference(x, v => 1f - v * v), () => { var y = new float[n]; Elementwise.OneMinusSquare(x, y); return y; }, "1 − x²");
    }

    public static TheoryData<int, bool> LengthsAndModes()
    {
        var data = new TheoryData<int, bool>();
        foreach (int n in Lengths) { data.Add(n, true); data.Add(n, false); }
        return data;
    }

    delegate void BackwardKernel(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> sink, bool overwrite);

    static void CheckBackward(int n, bool overwrite, Func<float, float, float> d, BackwardKernel fast, string what)
    {
        var g = KernelAssert.Random(n, 2); var x = Inputs(n, 3); var start = KernelAssert.Random(n, 4);
        var expected = new float[n];
        for (int i = 0; i < n; i++)
        {
            // The loops these kernels replace: sink[i] = overwrite ? d : sink[i] + d.
            float di = d(g[i], x[i]);
            expected[i] = overwrite ? di : start[i] + di;
        }
        ForThreadCounts(expected, () =>
        {
            var sink = (float[])start.Clone();
            fast(g, x, sink, overwrite);
            return sink;
        }, what);
    }

    [Theory]
    [MemberData(nameof(LengthsAndModes))]
    public void Masked_gradients_pass_g_exactly_where_the_old_predicates_held(int n, bool overwrite)
    {
        CheckBackward(n, overwrite, (g, v) => v > 0f ? g : 0f, Elementwise.ReluBackward, "relu");
        CheckBackward(n, overwrite, (g, v) => v > -1f && v < 1f ? g : 0f, Elementwise.HardTanhBackward, "hardtanh");
        CheckBackward(n, overwrite, (g, v) => v >= -1f && v <= 1f ? g : 0f, Elementwise.SignSteBackward, "sign STE");
    }

    [Theory]
    [MemberData(nameof(LengthsAndModes))]
    public void Product_gradients_equal_their_scalar_loops(int n, bool overwrite)
    {
        CheckBackward(n, overwrite, (g, v) => MathF.Sign(v) * g, Elementwise.AbsBackward, "abs");
        CheckBackward(n, overwrite, (g, v) => 2f * v * g, (g, x, s, o) => Elementwise.ScaledProductBackward(g, x, 2f, s, o), "square");
        CheckBackward(n, overwrite, (g, v) => -2f * v * g, (g, x, s, o) => Elementwise.ScaledProductBackward(g, x, -2f, s, o), "spin variance");
        CheckBackward(n, overwrite, (g, y) => g * y * (1f - y), Elementwise.SigmoidBackward, "sigmoid");
        CheckBackward(n, overwrite, (g, _) => g, (g, _, s, o) => Elementwise.Accumulate(g, s, o), "accumulate");
    }

    [Fact]
    public void Abs_backward_propagates_nan_instead_of_throwing()
    {
        var sink = new float[3];
        Elementwise.AbsBackward([1f, 1f, 1f], [float.NaN, -0f, -3f], sink, overwrite: true);
        Assert.True(float.IsNaN(sink[0]));
        Assert.Equal(0f, sink[1]);
        Assert.Equal(-1f, sink[2]);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Elementwise.Sign(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Elementwise.ReluBackward(new float[3], new float[3], new float[2], true));
    }
}
