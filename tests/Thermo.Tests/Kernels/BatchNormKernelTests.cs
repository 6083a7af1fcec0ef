using Thermo.Kernels;

namespace Thermo.Tests.Kernels;

/// <summary>
/// <see cref="BatchNormKernel"/> against two references: the plain per-channel loops it replaced (sums in order, within
/// rounding bounds) and a scalar model of its documented summation pattern (bit for bit, which pins that the result
/// depends neither on the thread count nor on the vector width the machine has).
/// </summary>
public class BatchNormKernelTests
{
    const float Eps = 1e-5f;

    // [N, C, inner]: the dense case (inner 1), tails of every length (49 = 3 blocks of 16 + 1), a short run (12),
    // and one above the threading threshold.
    public static TheoryData<int, int, int> Shapes => new() { { 7, 5, 1 }, { 3, 4, 49 }, { 5, 3, 12 }, { 4, 6, 33 }, { 16, 8, 1024 } };

    sealed record Forward(float[] Y, float[] Mean, float[] InvStd, double[] Variance);
    sealed record Backward(float[] DGamma, float[] DBeta, float[] Dx);

    static (float[] X, float[] Gamma, float[] Beta, float[] G, float[] Sink) Inputs(int n, int c, int inner)
    {
        var x = KernelAssert.Random(n * c * inner, 1);
        // A channel-dependent offset and scale, as real pre-activations have: the statistics are not all near 0 and 1.
        for (int i = 0; i < x.Length; i++) x[i] = x[i] * (1 + i / inner % c) + 0.3f * (i / inner % c);
        return (x, KernelAssert.Random(c, 2), KernelAssert.Random(c, 3), KernelAssert.Random(x.Length, 4), KernelAssert.Random(x.Length, 5));
    }

    // ---- reference 1: the loops F.BatchNorm had before the kernel (sums in order) ----

    static Forward PlainForward(float[] x, int n, int c, int inner, float[] gamma, float[] beta)
    {
        var f = new Forward(new float[x.Length], new float[c], new float[c], new double[c]);
        int count = n * inner;
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0, s2 = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < inner; i++) { float v = x[(b * c + ch) * inner + i]; s += v; s2 += (double)v * v; }
            Finish(f, ch, s, s2, count);
        }
        Apply(f, x, n, c, inner, gamma, beta);
        return f;
    }

    static void Finish(Forward f, int ch, double s, double s2, int count)
    {
        double mu = s / count, var = Math.Max(0, s2 / count - mu * mu);
        f.Mean[ch] = (float)mu;
        f.InvStd[ch] = (float)(1 / Math.Sqrt(var + Eps));
        f.Variance[ch] = var;
    }

    static void Apply(Forward f, float[] x, int n, int c, int inner, float[] gamma, float[] beta)
    {
        for (int r = 0; r < n * c; r++)
        {
            int ch = r % c;
            float scale = gamma[ch] * f.InvStd[ch], shift = beta[ch] - f.Mean[ch] * scale;
            for (int i = 0; i < inner; i++) f.Y[r * inner + i] = x[r * inner + i] * scale + shift;
        }
    }

    static Backward PlainBackward(float[] g, float[] x, int n, int c, int inner, float[] gamma, Forward f, bool training, float[] start, bool overwrite)
    {
        var r = new Backward(new float[c], new float[c], (float[])start.Clone());
        for (int ch = 0; ch < c; ch++)
        {
            double sg = 0, sgx = 0;
            float mu = f.Mean[ch], istd = f.InvStd[ch];
            for (int b = 0; b < n; b++)
                for (int i = 0; i < inner; i++)
                {
                    int o = (b * c + ch) * inner + i;
                    sg += g[o];
                    sgx += g[o] * (x[o] - mu) * istd;
                }
            Dx(r, ch, sg, sgx, g, x, n, c, inner, gamma, f, training, overwrite);
        }
        return r;
    }

    static void Dx(Backward r, int ch, double sg, double sgx, float[] g, float[] x, int n, int c, int inner, float[] gamma, Forward f, bool training, bool overwrite)
    {
        r.DBeta[ch] = (float)sg;
        r.DGamma[ch] = (float)sgx;
        float mu = f.Mean[ch], istd = f.InvStd[ch], count = n * inner;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < inner; i++)
            {
                int o = (b * c + ch) * inner + i;
                float d = training
                    ? gamma[ch] * istd / count * (count * g[o] - (float)sg - (x[o] - mu) * istd * (float)sgx)
                    : gamma[ch] * istd * g[o];
                r.Dx[o] = overwrite ? d : r.Dx[o] + d;
            }
    }

    // ---- reference 2: the documented pattern (16-value blocks, 32 lanes, tails in order, lanes then tail) ----

    static (double S1, double S2) PatternSums(int n, int c, int inner, int ch, Func<int, (float A, double B)> term)
    {
        var l1 = new double[32]; var l2 = new double[32];
        double t1 = 0, t2 = 0;
        int vectorEnd = inner / 16 * 16;
        for (int b = 0; b < n; b++)
        {
            int off = (b * c + ch) * inner;
            for (int i = 0; i < inner; i++)
            {
                var (a, bb) = term(off + i);
                if (i < vectorEnd) { int lane = i / 16 % 2 * 16 + i % 16; l1[lane] += a; l2[lane] += bb; }
                else { t1 += a; t2 += bb; }
            }
        }
        double s1 = 0, s2 = 0;
        for (int k = 0; k < 32; k++) { s1 += l1[k]; s2 += l2[k]; }
        return (s1 + t1, s2 + t2);
    }

    static Forward PatternForward(float[] x, int n, int c, int inner, float[] gamma, float[] beta)
    {
        var f = new Forward(new float[x.Length], new float[c], new float[c], new double[c]);
        for (int ch = 0; ch < c; ch++)
        {
            var (s, s2) = PatternSums(n, c, inner, ch, o => (x[o], (double)x[o] * x[o]));
            Finish(f, ch, s, s2, n * inner);
        }
        Apply(f, x, n, c, inner, gamma, beta);
        return f;
    }

    static Backward PatternBackward(float[] g, float[] x, int n, int c, int inner, float[] gamma, Forward f, bool training, float[] start, bool overwrite)
    {
        var r = new Backward(new float[c], new float[c], (float[])start.Clone());
        for (int ch = 0; ch < c; ch++)
        {
            float mu = f.Mean[ch], istd = f.InvStd[ch];
            var (sg, sgx) = PatternSums(n, c, inner, ch, o => (g[o], g[o] * (x[o] - mu) * istd));
            Dx(r, ch, sg, sgx, g, x, n, c, inner, gamma, f, training, overwrite);
        }
        return r;
    }

    static Forward Run(float[] x, int n, int c, int inner, float[] gamma, float[] beta)
    {
        var f = new Forward(new float[x.Length], new float[c], new float[c], new double[c]);
        BatchNormKernel.ForwardTraining(x, f.Y, n, c, inner, gamma, beta, Eps, f.Mean, f.InvStd, f.Variance);
        return f;
    }

    static Backward RunBackward(float[] g, float[] x, int n, int c, int inner, float[] gamma, Forward f, bool training, float[] start, bool overwrite)
    {
        var r = new Backward(new float[c], new float[c], (float[])start.Clone());
        BatchNormKernel.Backward(g, x, n, c, inner, gamma, f.Mean, f.InvStd, training, r.DGamma, r.DBeta, r.Dx, overwrite);
        return r;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_equals_the_summation_pattern_bit_for_bit_with_any_thread_count(int n, int c, int inner)
    {
        var (x, gamma, beta, _, _) = Inputs(n, c, inner);
        var model = PatternForward(x, n, c, inner, gamma, beta);
        int saved = ParallelRange.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                ParallelRange.Threads = threads;
                var f = Run(x, n, c, inner, gamma, beta);
                ElementwiseTests.AssertBitwise(model.Mean, f.Mean, $"mean, {threads} thread(s)");
                ElementwiseTests.AssertBitwise(model.InvStd, f.InvStd, $"1/std, {threads} thread(s)");
                Assert.Equal(model.Variance, f.Variance);
                ElementwiseTests.AssertBitwise(model.Y, f.Y, $"y, {threads} thread(s)");
            }
        }
        finally { ParallelRange.Threads = saved; }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_equals_the_summation_pattern_bit_for_bit_with_any_thread_count(int n, int c, int inner)
    {
        var (x, gamma, beta, g, start) = Inputs(n, c, inner);
        var f = PatternForward(x, n, c, inner, gamma, beta);
        int saved = ParallelRange.Threads;
        try
        {
            foreach (bool training in new[] { true, false })
                foreach (bool overwrite in new[] { true, false })
                {
                    var model = PatternBackward(g, x, n, c, inner, gamma, f, training, start, overwrite);
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        ParallelRange.Threads = threads;
                        var r = RunBackward(g, x, n, c, inner, gamma, f, training, start, overwrite);
                        string what = $"training {training}, overwrite {overwrite}, {threads} thread(s)";
                        ElementwiseTests.AssertBitwise(model.DBeta, r.DBeta, "dβ, " + what);
                        ElementwiseTests.AssertBitwise(model.DGamma, r.DGamma, "dγ, " + what);
                        ElementwiseTests.AssertBitwise(model.Dx, r.Dx, "dx, " + what);
                    }
                }
        }
        finally { ParallelRange.Threads = saved; }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_backward_agree_with_the_sums_in_order_within_rounding(int n, int c, int inner)
    {
        var (x, gamma, beta, g, start) = Inputs(n, c, inner);
        var plain = PlainForward(x, n, c, inner, gamma, beta);
        var fast = Run(x, n, c, inner, gamma, beta);
        double u = MathF.BitIncrement(1f) - 1f;
        for (int ch = 0; ch < c; ch++)
        {
            // Both double sums are far more exact than float: the statistics round to the same float or a neighbour.
            Assert.True(Math.Abs(plain.Variance[ch] - fast.Variance[ch]) <= 1e-12 * (1 + plain.Variance[ch]), $"variance {ch}");
            Assert.True(Math.Abs(plain.Mean[ch] - fast.Mean[ch]) <= u * Math.Abs(plain.Mean[ch]) + 1e-12, $"mean {ch}");
            Assert.True(Math.Abs(plain.InvStd[ch] - fast.InvStd[ch]) <= u * plain.InvStd[ch], $"1/std {ch}");
        }
        var magnitude = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / inner % c;
            magnitude[i] = Math.Abs(x[i] * gamma[ch] * plain.InvStd[ch]) + Math.Abs(beta[ch]) + Math.Abs(gamma[ch] * plain.InvStd[ch] * plain.Mean[ch]);
        }
        KernelAssert.Close(plain.Y, fast.Y, magnitude, 4, "y");

        var pb = PlainBackward(g, x, n, c, inner, gamma, plain, true, start, true);
        var fb = RunBackward(g, x, n, c, inner, gamma, plain, true, start, true);
        int count = n * inner;
        var dMagnitude = new double[x.Length];
        var sumMagnitude = new double[c];
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / inner % c;
            double xh = (x[i] - plain.Mean[ch]) * plain.InvStd[ch];
            sumMagnitude[ch] += Math.Abs(g[i]) * (1 + Math.Abs(xh));
        }
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / inner % c;
            double xh = (x[i] - plain.Mean[ch]) * plain.InvStd[ch];
            // dx = k(M·g − Σg − x̂Σgx̂): the sums' rounding (a float ulp each) enters through k and x̂.
            dMagnitude[i] = Math.Abs(gamma[ch] * plain.InvStd[ch] / count) * (count * Math.Abs(g[i]) + sumMagnitude[ch] * (1 + Math.Abs(xh)));
        }
        KernelAssert.Close(pb.DBeta, fb.DBeta, sumMagnitude, 1, "dβ");
        KernelAssert.Close(pb.DGamma, fb.DGamma, sumMagnitude, 1, "dγ");
        KernelAssert.Close(pb.Dx, fb.Dx, dMagnitude, 4, "dx");
    }

    [Fact]
    public void Evaluation_forward_is_the_affine_map_of_the_given_statistics()
    {
        int n = 3, c = 4, inner = 37;
        var (x, gamma, beta, _, _) = Inputs(n, c, inner);
        var f = new Forward(new float[x.Length], KernelAssert.Random(c, 8), [0.5f, 1f, 2f, 3f], new double[c]);
        var expected = new Forward(new float[x.Length], f.Mean, f.InvStd, f.Variance);
        Apply(expected, x, n, c, inner, gamma, beta);
        BatchNormKernel.ForwardEvaluation(x, f.Y, n, c, inner, gamma, beta, f.Mean, f.InvStd);
        ElementwiseTests.AssertBitwise(expected.Y, f.Y, "y");
    }
}
