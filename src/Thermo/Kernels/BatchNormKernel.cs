using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Thermo.Kernels;

/// <summary>
/// Batch normalisation of x viewed as [N, C, inner] (channel c is the N runs of <c>inner</c> values at
/// (n·C + c)·inner): the per-channel statistics μ, σ², the map y = γ(x − μ)/√(σ² + ε) + β and its backward pass,
/// vectorised and split across threads by channel.
/// <para>
/// Channel sums are in double, in a fixed pattern that neither the thread count nor the vector width changes:
/// each run is cut into blocks of 16 values, value k of a block goes to lane k of accumulator set (block index mod 2),
/// the remaining values of a run go in order to a tail sum, and the sum is lane 0 + … + lane 31 (set 0 first) + tail.
/// The elementwise parts repeat the scalar expressions lane by lane.
/// </para>
/// </summary>
public static unsafe class BatchNormKernel
{
    const int Lanes = 32;

    /// <summary>
    /// Training forward: per channel μ = Σx/M and σ² = max(0, Σx²/M − μ²) over its M = N·inner values (biased),
    /// <paramref name="mean"/> = μ, <paramref name="invStd"/> = 1/√(σ² + ε), <paramref name="variance"/> = σ², then
    /// y = x·s + (β − μ·s) with s = γ·invStd.
    /// </summary>
    public static void ForwardTraining(float[] x, float[] y, int n, int c, int inner, float[] gamma, float[] beta, float eps,
        float[] mean, float[] invStd, double[] variance)
    {
        Check(x, n, c, inner);
        if (y.Length != x.Length) throw new ArgumentException("BatchNorm: output and input lengths differ");
        ForChannels(x.Length, c, (c0, c1) => ForwardTrainingChannels(x, y, n, c, inner, gamma, beta, eps, mean, invStd, variance, c0, c1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ForwardTrainingChannels(float[] x, float[] y, int n, int c, int inner, float[] gamma, float[] beta, float eps,
        float[] mean, float[] invStd, double[] variance, int c0, int c1)
    {
        int count = n * inner;
        fixed (float* px = x, py = y)
            for (int ch = c0; ch < c1; ch++)
            {
                var terms = new Squares { X = px + (long)ch * inner };
                Sums(ref terms, n, c * inner, inner, out double s, out double s2);
                double mu = s / count, var = Math.Max(0, s2 / count - mu * mu);
                float m = (float)mu, istd = (float)(1 / Math.Sqrt(var + eps));
                mean[ch] = m; invStd[ch] = istd; variance[ch] = var;
                float scale = gamma[ch] * istd, shift = beta[ch] - m * scale;
                for (int b = 0; b < n; b++)
                {
                    long off = ((long)b * c + ch) * inner;
                    Affine(px + off, py + off, inner, scale, shift);
                }
            }
    }

    /// <summary>Evaluation forward with given <paramref name="mean"/> and <paramref name="invStd"/>: y = x·s + (β − μ·s), s = γ·invStd.</summary>
    public static void ForwardEvaluation(float[] x, float[] y, int n, int c, int inner, float[] gamma, float[] beta, float[] mean, float[] invStd)
    {
        Check(x, n, c, inner);
        if (y.Length != x.Length) throw new ArgumentException("BatchNorm: output and input lengths differ");
        ForChannels(x.Length, c, (c0, c1) => ForwardEvaluationChannels(x, y, n, c, inner, gamma, beta, mean, invStd, c0, c1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ForwardEvaluationChannels(float[] x, float[] y, int n, int c, int inner, float[] gamma, float[] beta, float[] mean, float[] invStd, int c0, int c1)
    {
        fixed (float* px = x, py = y)
            for (int ch = c0; ch < c1; ch++)
            {
                float scale = gamma[ch] * invStd[ch], shift = beta[ch] - mean[ch] * scale;
                for (int b = 0; b < n; b++)
                {
                    long off = ((long)b * c + ch) * inner;
                    Affine(px + off, py + off, inner, scale, shift);
                }
            }
    }

    /// <summary>
    /// Backward: per channel Σg → <paramref name="dBeta"/> and Σg·x̂ → <paramref name="dGamma"/> with
    /// x̂ = (x − μ)·invStd (each product rounded to float, summed in double). When <paramref name="dx"/> is given it
    /// receives (overwritten or added to) d = k·(M·g − Σg − x̂·Σg·x̂) with k = γ·invStd/M in training, else d = γ·invStd·g.
    /// </summary>
    public static void Backward(float[] gradOutput, float[] x, int n, int c, int inner, float[] gamma, float[] mean, float[] invStd,
        bool training, float[] dGamma, float[] dBeta, float[]? dx, bool overwrite)
    {
        Check(x, n, c, inner);
        if (gradOutput.Length != x.Length || (dx is not null && dx.Length != x.Length))
            throw new ArgumentException("BatchNorm backward: gradient and input lengths differ");
        ForChannels(x.Length, c, (c0, c1) => BackwardChannels(gradOutput, x, n, c, inner, gamma, mean, invStd, training, dGamma, dBeta, dx, overwrite, c0, c1));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void BackwardChannels(float[] gradOutput, float[] x, int n, int c, int inner, float[] gamma, float[] mean, float[] invStd,
        bool training, float[] dGamma, float[] dBeta, float[]? dx, bool overwrite, int c0, int c1)
    {
        int count = n * inner;
        fixed (float* pg = gradOutput, px = x, pd = dx)
            for (int ch = c0; ch < c1; ch++)
            {
                float mu = mean[ch], istd = invStd[ch];
                var terms = new Normalized { G = pg + (long)ch * inner, X = px + (long)ch * inner, Mean = mu, InvStd = istd };
                Sums(ref terms, n, c * inner, inner, out double sg, out double sgx);
                dBeta[ch] = (float)sg;
                dGamma[ch] = (float)sgx;
                if (pd is null) continue;
                float gam = gamma[ch];
                // Training: dx = γ·istd/M · (M·g − Σg − x̂·Σ(g·x̂)); evaluation: dx = γ·istd·g.
                float k = training ? gam * istd / count : gam * istd;
                for (int b = 0; b < n; b++)
                {
                    long off = ((long)b * c + ch) * inner;
                    if (training) TrainingGrad(pg + off, px + off, pd + off, inner, k, count, (float)sg, (float)sgx, mu, istd, overwrite);
                    else ScaledGrad(pg + off, pd + off, inner, k, overwrite);
                }
            }
    }

    static void Check(float[] x, int n, int c, int inner)
    {
        if (n < 0 || c < 0 || inner < 0 || (long)n * c * inner != x.Length)
            throw new ArgumentException($"BatchNorm: {x.Length} values are not [{n}, {c}, {inner}]");
    }

    /// <summary>Channels split across threads when the tensor is long; each channel is computed whole by one thread.</summary>
    static void ForChannels(int length, int channels, Action<int, int> body) => Elementwise.For(channels, length, body);

    // ---- channel sums: S1 = Σ a, S2 = Σ b·c in double over the channel's runs, in the pattern of the class summary ----

    interface ITerms
    {
        /// <summary>The float terms a, b, c of element i (offset from the channel start) whose Σa and Σb·c are wanted.</summary>
        void Load(long i, out float a, out float b, out float c);
        void Load(long i, out Vector512<float> a, out Vector512<float> b, out Vector512<float> c);
        void Load(long i, out Vector256<float> a, out Vector256<float> b, out Vector256<float> c);
    }

    /// <summary>Forward statistics: Σx and Σx² (x·x is exact in double).</summary>
    struct Squares : ITerms
    {
        public float* X;
        public void Load(long i, out float a, out float b, out float c) { a = b = c = X[i]; }
        public void Load(long i, out Vector512<float> a, out Vector512<float> b, out Vector512<float> c) { a = b = c = Vector512.Load(X + i); }
        public void Load(long i, out Vector256<float> a, out Vector256<float> b, out Vector256<float> c) { a = b = c = Vector256.Load(X + i); }
    }

    /// <summary>Backward sums: Σg and Σ g·(x − μ)·invStd with the product in float (times 1 in double, exact).</summary>
    struct Normalized : ITerms
    {
        public float* G, X;
        public float Mean, InvStd;
        public void Load(long i, out float a, out float b, out float c)
        {
            a = G[i]; b = a * (X[i] - Mean) * InvStd; c = 1f;
        }
        public void Load(long i, out Vector512<float> a, out Vector512<float> b, out Vector512<float> c)
        {
            a = Vector512.Load(G + i); b = a * (Vector512.Load(X + i) - Vector512.Create(Mean)) * Vector512.Create(InvStd); c = Vector512<float>.One;
        }
        public void Load(long i, out Vector256<float> a, out Vector256<float> b, out Vector256<float> c)
        {
            a = Vector256.Load(G + i); b = a * (Vector256.Load(X + i) - Vector256.Create(Mean)) * Vector256.Create(InvStd); c = Vector256<float>.One;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Sums<T>(ref T terms, int runs, int runStride, int inner, out double s1, out double s2) where T : struct, ITerms
    {
        double* l1 = stackalloc double[Lanes], l2 = stackalloc double[Lanes];
        double t1 = 0, t2 = 0;
        int blocks = inner / 16, vectorEnd = blocks * 16;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
            for (int r = 0; r < runs; r++)
            {
                long off = (long)r * runStride;
                int i = 0;
                for (; i + 32 <= vectorEnd; i += 32)
                {
                    terms.Load(off + i, out Vector512<float> a, out Vector512<float> b, out Vector512<float> c);
                    Add(a, b, c, ref a0, ref a1, ref b0, ref b1);
                    terms.Load(off + i + 16, out a, out b, out c);
                    Add(a, b, c, ref a2, ref a3, ref b2, ref b3);
                }
                if (i < vectorEnd)
                {
                    terms.Load(off + i, out Vector512<float> a, out Vector512<float> b, out Vector512<float> c);
                    Add(a, b, c, ref a0, ref a1, ref b0, ref b1);
                }
                Tail(ref terms, off, vectorEnd, inner, ref t1, ref t2);
            }
            a0.Store(l1); a1.Store(l1 + 8); a2.Store(l1 + 16); a3.Store(l1 + 24);
            b0.Store(l2); b1.Store(l2 + 8); b2.Store(l2 + 16); b3.Store(l2 + 24);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // Lanes 0–15 (set 0) in a0..a3, lanes 16–31 (set 1) in a4..a7; the same for the second sum.
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector256<double> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            for (int r = 0; r < runs; r++)
            {
                long off = (long)r * runStride;
                for (int i = 0, block = 0; i < vectorEnd; i += 16, block++)
                {
                    terms.Load(off + i, out Vector256<float> a, out Vector256<float> b, out Vector256<float> c);
                    terms.Load(off + i + 8, out Vector256<float> a8, out Vector256<float> b8, out Vector256<float> c8);
                    if ((block & 1) == 0)
                    {
                        Add(a, b, c, ref a0, ref a1, ref b0, ref b1);
                        Add(a8, b8, c8, ref a2, ref a3, ref b2, ref b3);
                    }
                    else
                    {
                        Add(a, b, c, ref a4, ref a5, ref b4, ref b5);
                        Add(a8, b8, c8, ref a6, ref a7, ref b6, ref b7);
                    }
                }
                Tail(ref terms, off, vectorEnd, inner, ref t1, ref t2);
            }
            a0.Store(l1); a1.Store(l1 + 4); a2.Store(l1 + 8); a3.Store(l1 + 12); a4.Store(l1 + 16); a5.Store(l1 + 20); a6.Store(l1 + 24); a7.Store(l1 + 28);
            b0.Store(l2); b1.Store(l2 + 4); b2.Store(l2 + 8); b3.Store(l2 + 12); b4.Store(l2 + 16); b5.Store(l2 + 20); b6.Store(l2 + 24); b7.Store(l2 + 28);
        }
        else
        {
            for (int k = 0; k < Lanes; k++) l1[k] = l2[k] = 0;
            for (int r = 0; r < runs; r++)
            {
                long off = (long)r * runStride;
                for (int i = 0, block = 0; i < vectorEnd; i += 16, block++)
                    for (int k = 0; k < 16; k++)
                    {
                        terms.Load(off + i + k, out float a, out float b, out float c);
                        int lane = (block & 1) * 16 + k;
                        l1[lane] += a;
                        l2[lane] += (double)b * c;
                    }
                Tail(ref terms, off, vectorEnd, inner, ref t1, ref t2);
            }
        }
        s1 = 0; s2 = 0;
        for (int k = 0; k < Lanes; k++) { s1 += l1[k]; s2 += l2[k]; }
        s1 += t1; s2 += t2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Tail<T>(ref T terms, long off, int from, int to, ref double t1, ref double t2) where T : struct, ITerms
    {
        for (int i = from; i < to; i++)
        {
            terms.Load(off + i, out float a, out float b, out float c);
            t1 += a;
            t2 += (double)b * c;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Add(Vector512<float> a, Vector512<float> b, Vector512<float> c,
        ref Vector512<double> aLow, ref Vector512<double> aHigh, ref Vector512<double> bLow, ref Vector512<double> bHigh)
    {
        var (al, ah) = Vector512.Widen(a);
        var (bl, bh) = Vector512.Widen(b);
        var (cl, chigh) = Vector512.Widen(c);
        aLow += al; aHigh += ah;
        // b·c is exact in double (two 24-bit significands), so the fused form rounds exactly as b·c then +.
        bLow = Vector512.FusedMultiplyAdd(bl, cl, bLow);
        bHigh = Vector512.FusedMultiplyAdd(bh, chigh, bHigh);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Add(Vector256<float> a, Vector256<float> b, Vector256<float> c,
        ref Vector256<double> aLow, ref Vector256<double> aHigh, ref Vector256<double> bLow, ref Vector256<double> bHigh)
    {
        var (al, ah) = Vector256.Widen(a);
        var (bl, bh) = Vector256.Widen(b);
        var (cl, chigh) = Vector256.Widen(c);
        aLow += al; aHigh += ah;
        bLow = Vector256.FusedMultiplyAdd(bl, cl, bLow);
        bHigh = Vector256.FusedMultiplyAdd(bh, chigh, bHigh);
    }

    // ---- elementwise parts ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Affine(float* x, float* y, int n, float scale, float shift)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale); var t = Vector512.Create(shift);
            for (; i + 16 <= n; i += 16) Vector512.Store(Vector512.Load(x + i) * s + t, y + i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale); var t = Vector256.Create(shift);
            for (; i + 8 <= n; i += 8) Vector256.Store(Vector256.Load(x + i) * s + t, y + i);
        }
        for (; i < n; i++) y[i] = x[i] * scale + shift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void TrainingGrad(float* g, float* x, float* dx, int n, float k, int count, float sumG, float sumGx, float mu, float istd, bool overwrite)
    {
        int i = 0;
        float m = count;
        if (Vector512.IsHardwareAccelerated)
        {
            var vk = Vector512.Create(k); var vm = Vector512.Create(m); var vsg = Vector512.Create(sumG); var vsgx = Vector512.Create(sumGx);
            var vmu = Vector512.Create(mu); var vistd = Vector512.Create(istd);
            for (; i + 16 <= n; i += 16)
            {
                var xh = (Vector512.Load(x + i) - vmu) * vistd;
                var d = vk * (vm * Vector512.Load(g + i) - vsg - xh * vsgx);
                Vector512.Store(overwrite ? d : Vector512.Load(dx + i) + d, dx + i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vk = Vector256.Create(k); var vm = Vector256.Create(m); var vsg = Vector256.Create(sumG); var vsgx = Vector256.Create(sumGx);
            var vmu = Vector256.Create(mu); var vistd = Vector256.Create(istd);
            for (; i + 8 <= n; i += 8)
            {
                var xh = (Vector256.Load(x + i) - vmu) * vistd;
                var d = vk * (vm * Vector256.Load(g + i) - vsg - xh * vsgx);
                Vector256.Store(overwrite ? d : Vector256.Load(dx + i) + d, dx + i);
            }
        }
        for (; i < n; i++)
        {
            float xh = (x[i] - mu) * istd;
            float d = k * (m * g[i] - sumG - xh * sumGx);
            dx[i] = overwrite ? d : dx[i] + d;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ScaledGrad(float* g, float* dx, int n, float k, bool overwrite)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vk = Vector512.Create(k);
            for (; i + 16 <= n; i += 16)
            {
                var d = vk * Vector512.Load(g + i);
                Vector512.Store(overwrite ? d : Vector512.Load(dx + i) + d, dx + i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vk = Vector256.Create(k);
            for (; i + 8 <= n; i += 8)
            {
                var d = vk * Vector256.Load(g + i);
                Vector256.Store(overwrite ? d : Vector256.Load(dx + i) + d, dx + i);
            }
        }
        for (; i < n; i++)
        {
            float d = k * g[i];
            dx[i] = overwrite ? d : dx[i] + d;
        }
    }
}
