using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Thermo.Kernels;

/// <summary>
/// Batch normalisation of x viewed as [N, C, inner] (channel c is the N runs of <c>inner</c> values at
/// (n·C + c)·inner): the per-channel statistics μ, σ², the map y = γ(x − μ)/√(σ² + ε) + β and its backward pass,
/// vectorised and split across threads.
/// <para>
/// Channel sums are in double, in a fixed pattern that neither the thread count nor the vector width changes:
/// each run is cut into blocks of 16 values, value k of a block goes to lane k of accumulator set (block index mod 2),
/// the remaining values of a run go in order to a tail sum, the runs come in order n = 0, 1, …, and the sum is
/// lane 0 + … + lane 31 (set 0 first) + tail. Threads split the channels, and each walks its channels' runs in
/// memory order (all channels of sample 0, then of sample 1, …), so the loads stream. The elementwise parts
/// repeat the scalar expressions lane by lane.
/// </para>
/// </summary>
public static unsafe class BatchNormKernel
{
    const int Lanes = 32;
    /// <summary>Per channel: 32 lanes of each sum, then the two tails.</summary>
    const int Slot = 2 * Lanes + 2;
    /// <summary>Channels whose accumulators one pass holds (on the stack, 8.4 KB).</summary>
    const int Group = 16;

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
        var sum = new double[c];
        var sumSquares = new double[c];
        Elementwise.For(c, x.Length, (c0, c1) =>
        {
            fixed (float* px = x)
            {
                var terms = new Squares { X = px };
                ChannelSums(ref terms, n, c, inner, c0, c1, sum, sumSquares);
            }
        });
        int count = n * inner;
        for (int ch = 0; ch < c; ch++)
        {
            double mu = sum[ch] / count, var = Math.Max(0, sumSquares[ch] / count - mu * mu);
            mean[ch] = (float)mu;
            invStd[ch] = (float)(1 / Math.Sqrt(var + eps));
            variance[ch] = var;
        }
        ForwardEvaluation(x, y, n, c, inner, gamma, beta, mean, invStd);
    }

    /// <summary>Evaluation forward with given <paramref name="mean"/> and <paramref name="invStd"/>: y = x·s + (β − μ·s), s = γ·invStd.</summary>
    public static void ForwardEvaluation(float[] x, float[] y, int n, int c, int inner, float[] gamma, float[] beta, float[] mean, float[] invStd)
    {
        Check(x, n, c, inner);
        if (y.Length != x.Length) throw new ArgumentException("BatchNorm: output and input lengths differ");
        Elementwise.For(n * c, x.Length, (r0, r1) => AffineRows(x, y, c, inner, gamma, beta, mean, invStd, r0, r1));
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
        var sumG = new double[c];
        var sumGx = new double[c];
        Elementwise.For(c, x.Length, (c0, c1) =>
        {
            fixed (float* pg = gradOutput, px = x, pm = mean, ps = invStd)
            {
                var terms = new Normalized { G = pg, X = px, Means = pm, InvStds = ps };
                ChannelSums(ref terms, n, c, inner, c0, c1, sumG, sumGx);
            }
        });
        for (int ch = 0; ch < c; ch++)
        {
            dBeta[ch] = (float)sumG[ch];
            dGamma[ch] = (float)sumGx[ch];
        }
        if (dx is null) return;
        Elementwise.For(n * c, x.Length, (r0, r1) =>
            GradRows(gradOutput, x, dx, n, c, inner, gamma, mean, invStd, dBeta, dGamma, training, overwrite, r0, r1));
    }

    static void Check(float[] x, int n, int c, int inner)
    {
        if (n < 0 || c < 0 || inner < 0 || (long)n * c * inner != x.Length)
            throw new ArgumentException($"BatchNorm: {x.Length} values are not [{n}, {c}, {inner}]");
    }

    // ---- channel sums: S1 = Σ a and S2 = Σ b (or Σ a² for Squares) in double, in the pattern of the class summary ----

    interface ITerms
    {
        /// <summary>True when the second sum is Σa² (a² is exact in double); otherwise it is Σb.</summary>
        static abstract bool SquareA { get; }
        /// <summary>Makes the per-channel constants those of <paramref name="channel"/>.</summary>
        void Select(int channel);
        void Load(long i, out float a, out float b);
        void Load(long i, out Vector512<float> a, out Vector512<float> b);
        void Load(long i, out Vector256<float> a, out Vector256<float> b);
    }

    /// <summary>Forward statistics: Σx and Σx².</summary>
    struct Squares : ITerms
    {
        public float* X;
        public static bool SquareA => true;
        public void Select(int channel) { }
        public void Load(long i, out float a, out float b) { a = X[i]; b = 0; }
        public void Load(long i, out Vector512<float> a, out Vector512<float> b) { a = Vector512.Load(X + i); b = default; }
        public void Load(long i, out Vector256<float> a, out Vector256<float> b) { a = Vector256.Load(X + i); b = default; }
    }

    /// <summary>Backward sums: Σg and Σ g·(x − μ)·invStd with the product in float.</summary>
    struct Normalized : ITerms
    {
        public float* G, X, Means, InvStds;
        float mean, invStd;
        public static bool SquareA => false;
        public void Select(int channel) { mean = Means[channel]; invStd = InvStds[channel]; }
        public void Load(long i, out float a, out float b) { a = G[i]; b = a * (X[i] - mean) * invStd; }
        public void Load(long i, out Vector512<float> a, out Vector512<float> b)
        {
            a = Vector512.Load(G + i); b = a * (Vector512.Load(X + i) - Vector512.Create(mean)) * Vector512.Create(invStd);
        }
        public void Load(long i, out Vector256<float> a, out Vector256<float> b)
        {
            a = Vector256.Load(G + i); b = a * (Vector256.Load(X + i) - Vector256.Create(mean)) * Vector256.Create(invStd);
        }
    }

    /// <summary>The two sums of channels [c0, c1), Group channels at a time, each group's runs in memory order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ChannelSums<T>(ref T terms, int n, int c, int inner, int c0, int c1, double[] s1, double[] s2) where T : struct, ITerms
    {
        double* slots = stackalloc double[Group * Slot];
        int vectorEnd = inner / 16 * 16;
        for (int g0 = c0; g0 < c1; g0 += Group)
        {
            int g1 = Math.Min(c1, g0 + Group);
            new Span<double>(slots, Group * Slot).Clear();
            for (int b = 0; b < n; b++)
                for (int ch = g0; ch < g1; ch++)
                {
                    terms.Select(ch);
                    AccumulateRun(ref terms, ((long)b * c + ch) * inner, inner, vectorEnd, slots + (ch - g0) * Slot);
                }
            for (int ch = g0; ch < g1; ch++)
            {
                double* slot = slots + (ch - g0) * Slot;
                double a = 0, q = 0;
                for (int k = 0; k < Lanes; k++) { a += slot[k]; q += slot[Lanes + k]; }
                s1[ch] = a + slot[2 * Lanes];
                s2[ch] = q + slot[2 * Lanes + 1];
            }
        }
    }

    /// <summary>Adds one run to a channel's slot: lanes 0–31 of S1, lanes 0–31 of S2, tail of S1, tail of S2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AccumulateRun<T>(ref T terms, long off, int inner, int vectorEnd, double* slot) where T : struct, ITerms
    {
        if (vectorEnd > 0)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                // Lanes 0–7, 8–15 (set 0) and 16–23, 24–31 (set 1) of each sum.
                var a0 = Vector512.Load(slot); var a1 = Vector512.Load(slot + 8); var a2 = Vector512.Load(slot + 16); var a3 = Vector512.Load(slot + 24);
                var b0 = Vector512.Load(slot + 32); var b1 = Vector512.Load(slot + 40); var b2 = Vector512.Load(slot + 48); var b3 = Vector512.Load(slot + 56);
                int i = 0;
                for (; i + 32 <= vectorEnd; i += 32)
                {
                    terms.Load(off + i, out Vector512<float> a, out Vector512<float> b);
                    Add<T>(a, b, ref a0, ref a1, ref b0, ref b1);
                    terms.Load(off + i + 16, out a, out b);
                    Add<T>(a, b, ref a2, ref a3, ref b2, ref b3);
                }
                if (i < vectorEnd)
                {
                    terms.Load(off + i, out Vector512<float> a, out Vector512<float> b);
                    Add<T>(a, b, ref a0, ref a1, ref b0, ref b1);
                }
                a0.Store(slot); a1.Store(slot + 8); a2.Store(slot + 16); a3.Store(slot + 24);
                b0.Store(slot + 32); b1.Store(slot + 40); b2.Store(slot + 48); b3.Store(slot + 56);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (int i = 0, block = 0; i < vectorEnd; i += 16, block++)
                {
                    double* set = slot + (block & 1) * 16;
                    terms.Load(off + i, out Vector256<float> a, out Vector256<float> b);
                    terms.Load(off + i + 8, out Vector256<float> a8, out Vector256<float> b8);
                    var s0 = Vector256.Load(set); var s1 = Vector256.Load(set + 4); var s2 = Vector256.Load(set + 8); var s3 = Vector256.Load(set + 12);
                    var q0 = Vector256.Load(set + 32); var q1 = Vector256.Load(set + 36); var q2 = Vector256.Load(set + 40); var q3 = Vector256.Load(set + 44);
                    Add<T>(a, b, ref s0, ref s1, ref q0, ref q1);
                    Add<T>(a8, b8, ref s2, ref s3, ref q2, ref q3);
                    s0.Store(set); s1.Store(set + 4); s2.Store(set + 8); s3.Store(set + 12);
                    q0.Store(set + 32); q1.Store(set + 36); q2.Store(set + 40); q3.Store(set + 44);
                }
            }
            else
            {
                for (int i = 0; i < vectorEnd; i++)
                {
                    terms.Load(off + i, out float a, out float b);
                    int lane = i / 16 % 2 * 16 + i % 16;
                    slot[lane] += a;
                    slot[Lanes + lane] += T.SquareA ? (double)a * a : b;
                }
            }
        }
        for (int i = vectorEnd; i < inner; i++)
        {
            terms.Load(off + i, out float a, out float b);
            slot[2 * Lanes] += a;
            slot[2 * Lanes + 1] += T.SquareA ? (double)a * a : b;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Add<T>(Vector512<float> a, Vector512<float> b,
        ref Vector512<double> aLow, ref Vector512<double> aHigh, ref Vector512<double> bLow, ref Vector512<double> bHigh) where T : struct, ITerms
    {
        var (al, ah) = Vector512.Widen(a);
        aLow += al; aHigh += ah;
        if (T.SquareA)
        {
            // a·a is exact in double (two 24-bit significands), so the fused form rounds as a·a then +.
            bLow = Vector512.FusedMultiplyAdd(al, al, bLow);
            bHigh = Vector512.FusedMultiplyAdd(ah, ah, bHigh);
        }
        else
        {
            var (bl, bh) = Vector512.Widen(b);
            bLow += bl; bHigh += bh;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Add<T>(Vector256<float> a, Vector256<float> b,
        ref Vector256<double> aLow, ref Vector256<double> aHigh, ref Vector256<double> bLow, ref Vector256<double> bHigh) where T : struct, ITerms
    {
        var (al, ah) = Vector256.Widen(a);
        aLow += al; aHigh += ah;
        if (T.SquareA)
        {
            bLow = Vector256.FusedMultiplyAdd(al, al, bLow);
            bHigh = Vector256.FusedMultiplyAdd(ah, ah, bHigh);
        }
        else
        {
            var (bl, bh) = Vector256.Widen(b);
            bLow += bl; bHigh += bh;
        }
    }

    // ---- elementwise parts, row by row in memory order ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AffineRows(float[] x, float[] y, int c, int inner, float[] gamma, float[] beta, float[] mean, float[] invStd, int r0, int r1)
    {
        fixed (float* px = x, py = y)
            for (int r = r0; r < r1; r++)
            {
                int ch = r % c;
                float scale = gamma[ch] * invStd[ch], shift = beta[ch] - mean[ch] * scale;
                Affine(px + (long)r * inner, py + (long)r * inner, inner, scale, shift);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GradRows(float[] g, float[] x, float[] dx, int n, int c, int inner, float[] gamma, float[] mean, float[] invStd,
        float[] sumG, float[] sumGx, bool training, bool overwrite, int r0, int r1)
    {
        int count = n * inner;
        fixed (float* pg = g, px = x, pd = dx)
            for (int r = r0; r < r1; r++)
            {
                int ch = r % c;
                long off = (long)r * inner;
                float istd = invStd[ch];
                // Training: dx = γ·istd/M · (M·g − Σg − x̂·Σ(g·x̂)); evaluation: dx = γ·istd·g.
                if (training) TrainingGrad(pg + off, px + off, pd + off, inner, gamma[ch] * istd / count, count, sumG[ch], sumGx[ch], mean[ch], istd, overwrite);
                else ScaledGrad(pg + off, pd + off, inner, gamma[ch] * istd, overwrite);
            }
    }

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
