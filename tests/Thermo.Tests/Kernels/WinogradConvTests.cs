using Thermo.Kernels;
using Xunit.Abstractions;

namespace Thermo.Tests.Kernels;

/// <summary>
/// Winograd F(4×4, 3×3) (<see cref="WinogradConv2d"/>) against the double-accumulating loops of <see cref="ReferenceConv2d"/>.
/// The algorithm runs only with AVX-512; elsewhere the dispatch test pins that it is never chosen.
/// </summary>
public class WinogradConvTests(ITestOutputHelper log)
{
    /// <summary>
    /// Per element |winograd − reference| ≤ Bound · Σ|terms|. The transforms mix the 36 window values with weights up to 8
    /// (and 1/24 … 1/4 on the kernel side), so the rounding error is a multiple of ε·Σ|terms| that does not grow with the
    /// channel count the way a long sum's bound does. Measured worst over these shapes: 9.9e-6 (forward, 3 → 390
    /// channels), data gradient 5.1e-6, weight gradient 1.5e-6; on the benchmark network's layers (12 → 64 at 32²,
    /// 96 → 128 at 16², 192 → 256 at 8², batch 16) at most 3.6e-6. The bound leaves a factor 4; an error in any
    /// transform is O(1).
    /// </summary>
    const double Bound = 4e-5;

    static T With<T>(Conv2dAlgorithm algorithm, Func<T> body)
    {
        var saved = Conv2dKernel.ForcedAlgorithm;
        Conv2dKernel.ForcedAlgorithm = algorithm;
        try { return body(); }
        finally { Conv2dKernel.ForcedAlgorithm = saved; }
    }

    static float[] Poisoned(int n)
    {
        var x = new float[n];
        Array.Fill(x, float.NaN);
        return x;
    }

    /// <summary>Largest |actual − expected| / Σ|terms| over the elements (∞ for a NaN).</summary>
    static double WorstRelative(float[] expected, float[] actual, double[] magnitude)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(err)) return double.PositiveInfinity;
            worst = Math.Max(worst, err / Math.Max(magnitude[i], 1e-30));
        }
        return worst;
    }

    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        { 17, 5, 9, 7, 6 },       // odd sizes (partial tiles), batch with a masked tail
        { 5, 3, 5, 6, 2 },        // batch below one vector
        { 20, 1, 1, 1, 1 },       // one pixel: the window is all padding but its centre
        { 32, 16, 8, 8, 24 },     // every tile touches the border
        { 33, 7, 16, 16, 9 },     // interior tiles, output channels not a multiple of 8
        { 16, 400, 4, 4, 9 },     // input channels past one 384-deep block; packed weight products
        { 16, 3, 4, 4, 390 },     // data gradient deeper than one block
        { 19, 40, 13, 11, 36 },   // several weight-gradient chunks (packed products), ragged everything
        { 24, 6, 33, 30, 10 },    // several chunks of dot-product weight gradients
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void All_passes_match_the_reference_within_a_bound_proportional_to_the_sum_of_absolute_terms(int batch, int cin, int h, int w, int cout)
    {
        if (!WinogradConv2d.IsSupported) return;
        var g = new Conv2dGeometry(batch, cin, h, w, cout, 3, 1, 1);
        Assert.Equal(Conv2dAlgorithm.Winograd, With(Conv2dAlgorithm.Winograd, () => Conv2dKernel.AlgorithmFor(g)));
        var input = KernelAssert.Random(g.Batch * g.InputSize, 1);
        var weight = KernelAssert.Random(g.WeightSize, 2);
        var bias = KernelAssert.Random(g.OutChannels, 3);
        var gradOut = KernelAssert.Random(g.Batch * g.OutputSize, 4);

        var (y, ym) = ReferenceConv2d.Forward(g, input, weight, bias);
        var (dx, dxm) = ReferenceConv2d.BackwardData(g, gradOut, weight);
        var (dw, dwm, db, dbm) = ReferenceConv2d.BackwardWeight(g, input, gradOut);
        var (output, gradIn, gradW, gradB) = With(Conv2dAlgorithm.Winograd, () =>
        {
            var o = Poisoned(y.Length);
            Conv2dKernel.Forward(g, input, weight, bias, o);
            var a = Poisoned(dx.Length); var b = Poisoned(dw.Length); var c = Poisoned(db.Length);
            Conv2dKernel.Backward(g, input, gradOut, weight, a, b, c);
            return (o, a, b, c);
        });
        double ef = WorstRelative(y, output, ym), ex = WorstRelative(dx, gradIn, dxm), ew = WorstRelative(dw, gradW, dwm);
        log.WriteLine($"{g}: worst error / Σ|terms|: forward {ef:E2}, data {ex:E2}, weight {ew:E2}");
        Assert.True(ef <= Bound, $"forward: {ef:E2}");
        Assert.True(ex <= Bound, $"data gradient: {ex:E2}");
        Assert.True(ew <= Bound, $"weight gradient: {ew:E2}");
        KernelAssert.Close(db, gradB, dbm, g.Batch * h * w, "bias gradient");

        // The single-pass entry points give the same bits as the combined one.
        With(Conv2dAlgorithm.Winograd, () =>
        {
            var a = Poisoned(dx.Length); var b = Poisoned(dw.Length);
            Conv2dKernel.BackwardData(g, gradOut, weight, a);
            Conv2dKernel.BackwardWeight(g, input, gradOut, b, []);
            Assert.Equal(gradIn, a);
            Assert.Equal(gradW, b);
            return 0;
        });
    }

    [Fact]
    public void A_wrong_weight_gradient_fails_the_bound()
    {
        // The bound is tight enough to see one kernel tap of one weight off by 1e-3 of its size.
        if (!WinogradConv2d.IsSupported) return;
        var g = new Conv2dGeometry(18, 9, 12, 12, 11, 3, 1, 1);
        var input = KernelAssert.Random(g.Batch * g.InputSize, 5);
        var gradOut = KernelAssert.Random(g.Batch * g.OutputSize, 6);
        var (dw, dwm, _, _) = ReferenceConv2d.BackwardWeight(g, input, gradOut);
        var gradW = With(Conv2dAlgorithm.Winograd, () =>
        {
            var b = new float[dw.Length];
            Conv2dKernel.BackwardWeight(g, input, gradOut, b, []);
            return b;
        });
        Assert.True(WorstRelative(dw, gradW, dwm) <= Bound);
        int worst = 0;
        for (int i = 0; i < dw.Length; i++) if (Math.Abs(dw[i]) > Math.Abs(dw[worst])) worst = i;
        gradW[worst] += 1e-3f * Math.Abs(dw[worst]);
        Assert.True(WorstRelative(dw, gradW, dwm) > Bound);
    }

    [Fact]
    public void Results_are_bit_identical_for_one_two_and_three_threads()
    {
        if (!WinogradConv2d.IsSupported) return;
        // Large enough to run in parallel and to take several chunks: packed (40 channels) and dot-product (8) weight gradients.
        foreach (var g in new[] { new Conv2dGeometry(33, 40, 16, 16, 48, 3, 1, 1), new Conv2dGeometry(33, 8, 32, 32, 24, 3, 1, 1) })
        {
            var input = KernelAssert.Random(g.Batch * g.InputSize, 7);
            var weight = KernelAssert.Random(g.WeightSize, 8);
            var bias = KernelAssert.Random(g.OutChannels, 9);
            var gradOut = KernelAssert.Random(g.Batch * g.OutputSize, 10);
            float[][] Run() => With(Conv2dAlgorithm.Winograd, () =>
            {
                var y = new float[g.Batch * g.OutputSize]; var dx = new float[g.Batch * g.InputSize]; var dw = new float[g.WeightSize];
                Conv2dKernel.Forward(g, input, weight, bias, y);
                Conv2dKernel.Backward(g, input, gradOut, weight, dx, dw, []);
                return new[] { y, dx, dw };
            });
            int saved = ParallelRange.Threads;
            try
            {
                ParallelRange.Threads = 1;
                var one = Run();
                foreach (int threads in new[] { 2, 3 })
                {
                    ParallelRange.Threads = threads;
                    var other = Run();
                    for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], other[i]);
                }
            }
            finally { ParallelRange.Threads = saved; }
        }
    }

    [Fact]
    public void Dispatch_takes_winograd_for_batched_3x3_stride_1_padding_1_convolutions_and_im2col_elsewhere()
    {
        var qualifying = new Conv2dGeometry(32, 96, 16, 16, 128, 3, 1, 1);
        var expected = WinogradConv2d.IsSupported && Gemm.BestInstructionSet == InstructionSet.Avx512 ? Conv2dAlgorithm.Winograd : Conv2dAlgorithm.Im2col;
        Assert.Equal(expected, Conv2dKernel.AlgorithmFor(qualifying));
        foreach (var other in new[]
        {
            qualifying with { Stride = 2 }, qualifying with { Padding = 0 }, qualifying with { Kernel = 4 }, qualifying with { Groups = 2 },
            qualifying with { Batch = Conv2dKernel.WinogradMinBatch - 1 }, qualifying with { InChannels = Conv2dKernel.WinogradMinInChannels - 1 },
        })
            Assert.Equal(Conv2dAlgorithm.Im2col, Conv2dKernel.AlgorithmFor(other));
        // Forcing cannot apply Winograd where it does not compute the geometry, nor on other instruction sets.
        Assert.Equal(Conv2dAlgorithm.Im2col, With(Conv2dAlgorithm.Winograd, () => Conv2dKernel.AlgorithmFor(qualifying with { Stride = 2 })));
        Gemm.ForcedInstructionSet = InstructionSet.Scalar;
        try { Assert.Equal(Conv2dAlgorithm.Im2col, With(Conv2dAlgorithm.Winograd, () => Conv2dKernel.AlgorithmFor(qualifying))); }
        finally { Gemm.ForcedInstructionSet = null; }
    }

    [Fact]
    public void The_default_path_of_a_qualifying_geometry_is_the_winograd_one()
    {
        // Bit-identical to the forced Winograd result and different from the im2col one: the dispatch is not vacuous.
        if (!WinogradConv2d.IsSupported) return;
        var g = new Conv2dGeometry(Conv2dKernel.WinogradMinBatch, Conv2dKernel.WinogradMinInChannels, 8, 8, 16, 3, 1, 1);
        var input = KernelAssert.Random(g.Batch * g.InputSize, 11);
        var weight = KernelAssert.Random(g.WeightSize, 12);
        var gradOut = KernelAssert.Random(g.Batch * g.OutputSize, 13);
        float[][] Run()
        {
            var y = new float[g.Batch * g.OutputSize]; var dx = new float[g.Batch * g.InputSize]; var dw = new float[g.WeightSize];
            Conv2dKernel.Forward(g, input, weight, [], y);
            Conv2dKernel.Backward(g, input, gradOut, weight, dx, dw, []);
            return [y, dx, dw];
        }
        var automatic = Run();
        var winograd = With(Conv2dAlgorithm.Winograd, Run);
        var im2col = With(Conv2dAlgorithm.Im2col, Run);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(winograd[i], automatic[i]);
            Assert.NotEqual(im2col[i], automatic[i]);
        }
    }
}
