using CsCheck;
using Thermo.Kernels;
using Thermo.Tensors;


namespace Thermo.Tests.Kernels;

public class Conv2dTests
{
    static readonly Gen<(Conv2dGeometry Geometry, bool Bias, int Seed)> Geometries =
        from batch in Gen.Int[1, 5]
        from groups in Gen.Int[1, 3]
        from cin in Gen.Int[1, 4]
        from cout in Gen.Int[1, 5]
        from h in Gen.Int[1, 11]
        from w in Gen.Int[1, 11]
        from k in Gen.Int[1, 5]
        from stride in Gen.Int[1, 3]
        from pad in Gen.Int[0, 2]
        from bias in Gen.Bool
        from seed in Gen.Int
        let g = new Conv2dGeometry(batch, cin * groups, h, w, cout * groups, k, stride, pad, groups)
        where (h + 2 * pad - k) >= 0 && (w + 2 * pad - k) >= 0
        select (g, bias, seed);

    static void CheckAll(Conv2dGeometry g, bool withBias, int seed, InstructionSet set)
    {
        var input = KernelAssert.Random(g.Batch * g.InputSize, seed);
        var weight = KernelAssert.Random(g.WeightSize, seed + 1);
        var bias = withBias ? KernelAssert.Random(g.OutChannels, seed + 2) : null;
        var gradOut = KernelAssert.Random(g.Batch * g.OutputSize, seed + 3);
        int cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, kk = g.Kernel * g.Kernel;
        Gemm.ForcedInstructionSet = set;
        try
        {
            var (y, ym) = ReferenceConv2d.Forward(g, input, weight, bias);
            var output = Poisoned(y.Length);
            Conv2dKernel.Forward(g, input, weight, bias ?? [], output);
            KernelAssert.Close(y, output, ym, cinG * kk + 1, $"{set} forward {g}");

            var (dx, dxm) = ReferenceConv2d.BackwardData(g, gradOut, weight);
            var gradIn = Poisoned(dx.Length);
            Conv2dKernel.BackwardData(g, gradOut, weight, gradIn);
            KernelAssert.Close(dx, gradIn, dxm, coutG * kk, $"{set} backward data {g}");

            var (dw, dwm, db, dbm) = ReferenceConv2d.BackwardWeight(g, input, gradOut);
            var gradW = Poisoned(dw.Length);
            var gradB = withBias ? Poisoned(db.Length) : [];
            Conv2dKernel.BackwardWeight(g, input, gradOut, gradW, gradB);
            int terms = g.Batch * g.OutHeight * g.OutWidth;
            KernelAssert.Close(dw, gradW, dwm, terms, $"{set} backward weight {g}");
            if (withBias) KernelAssert.Close(db, gradB, dbm, terms, $"{set} backward bias {g}");

            // The combined pass gives the same three results.
            var gradIn2 = Poisoned(dx.Length); var gradW2 = Poisoned(dw.Length);
            Conv2dKernel.Backward(g, input, gradOut, weight, gradIn2, gradW2, []);
            Assert.Equal(gradIn, gradIn2);
            Assert.Equal(gradW, gradW2);
        }
        finally { Gemm.ForcedInstructionSet = null; }
    }

    /// <summary>Output buffers start as NaN: every kernel must overwrite every element.</summary>
    static float[] Poisoned(int n)
    {
        var x = new float[n];
        Array.Fill(x, float.NaN);
        return x;
    }

    [Theory]
    [MemberData(nameof(GemmTests.Supported), MemberType = typeof(GemmTests))]
    public void All_passes_match_reference_on_random_geometries_with_stride_padding_and_groups(InstructionSet set) =>
        Geometries.Sample(t => CheckAll(t.Geometry, t.Bias, t.Seed, set), iter: 60, seed: "0N0XIzNsQ0O2");

    [Theory]
    [MemberData(nameof(GemmTests.Supported), MemberType = typeof(GemmTests))]
    public void All_passes_match_reference_on_the_training_shapes(InstructionSet set)
    {
        // The benchmark network's layers at a small batch (large enough to use both threads and full panels).
        CheckAll(new Conv2dGeometry(3, 1, 28, 28, 32, 4, 2, 1), true, 1, set);
        CheckAll(new Conv2dGeometry(5, 32, 14, 14, 64, 4, 2, 1), true, 2, set);
        // CIFAR-like 3×3, padding 1, and a kernel wider than the stride with odd sizes.
        CheckAll(new Conv2dGeometry(2, 16, 9, 7, 24, 3, 1, 1), false, 3, set);
        CheckAll(new Conv2dGeometry(33, 6, 5, 6, 8, 5, 3, 2, 2), true, 4, set);
        // Batches that fill vectors take the dot-product weight gradient; 21 leaves a masked tail.
        CheckAll(new Conv2dGeometry(21, 5, 7, 6, 6, 3, 2, 1), true, 5, set);
        CheckAll(new Conv2dGeometry(32, 3, 6, 6, 5, 2, 1, 0), false, 6, set);
        // Dot-product weight gradient edges: runs that cut 16-column slices (batch 24), two summation blocks, 7 output
        // channels (a tile of one row), 45 unfolded rows (a panel of 5); one or two output channels per group; a batch
        // longer than one summation block.
        CheckAll(new Conv2dGeometry(24, 5, 9, 9, 7, 3, 1, 1), true, 7, set);
        CheckAll(new Conv2dGeometry(17, 6, 8, 8, 4, 2, 2, 0, 2), false, 8, set);
        CheckAll(new Conv2dGeometry(16, 3, 5, 5, 1, 3, 1, 1), true, 9, set);
        CheckAll(new Conv2dGeometry(1040, 2, 3, 3, 3, 2, 1, 0), false, 10, set);
    }

    [Theory]
    [InlineData(4, 32, 14, 64, 4, 2)]   // packed GEMMs throughout
    [InlineData(32, 16, 8, 24, 3, 1)]   // dot-product weight gradient, one piece per thread
    [InlineData(16, 64, 6, 8, 3, 1)]    // dot-product weight gradient, more pieces than threads
    public void Results_do_not_depend_on_the_thread_count(int batch, int cin, int size, int cout, int kernel, int stride)
    {
        var g = new Conv2dGeometry(batch, cin, size, size, cout, kernel, stride, 1);
        var input = KernelAssert.Random(g.Batch * g.InputSize, 7);
        var weight = KernelAssert.Random(g.WeightSize, 8);
        var gradOut = KernelAssert.Random(g.Batch * g.OutputSize, 9);
        float[][] Run()
        {
            var y = new float[g.Batch * g.OutputSize]; var dx = new float[g.Batch * g.InputSize]; var dw = new float[g.WeightSize];
            Conv2dKernel.Forward(g, input, weight, [], y);
            Conv2dKernel.Backward(g, input, gradOut, weight, dx, dw, []);
            return [y, dx, dw];
        }
        int saved = ParallelRange.Threads;
        try
        {
            ParallelRange.Threads = 1;
            var one = Run();
            ParallelRange.Threads = 3;
            var three = Run();
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], three[i]);
        }
        finally { ParallelRange.Threads = saved; }
    }

    [Fact]
    public void Short_buffers_are_rejected_with_the_buffer_named()
    {
        var g = new Conv2dGeometry(2, 3, 5, 5, 4, 3);
        var e = Assert.Throws<ArgumentException>(() => Conv2dKernel.Forward(g, new float[10], new float[g.WeightSize], [], new float[g.Batch * g.OutputSize]));
        Assert.Contains("input has 10 elements", e.Message);
    }
}
