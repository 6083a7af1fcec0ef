using ILGPU;
using Thermo.Randomness;

namespace Thermo.Devices;

/// <summary>
/// Elementwise kernels and reductions of device training (the Ising-block surrogate and AdamW). Each states the CPU
/// operation it mirrors; the backward kernels add into gradients where the CPU's autograd accumulates.
/// </summary>
internal static class TrainingKernels
{
    /// <summary>Most threads of a reduction block (one block per segment; the launch's block size, a power of two).</summary>
    public const int ReduceThreads = 256;

    /// <summary>Thermometer code: out[(nc·K + t)·plane + p] = +1 if images[nc·plane + p] &gt; thresholds[t], else −1.</summary>
    public static void Encode(Index1D i, ArrayView<float> images, ArrayView<float> thresholds, ArrayView<float> output, int levels, int plane)
    {
        int per = levels * plane, nc = i / per, rest = i - nc * per, t = rest / plane, p = rest - t * plane;
        output[i] = images[(long)nc * plane + p] > thresholds[t] ? 1f : -1f;
    }

    /// <summary>Segmented reduction (<see cref="ReduceArgs"/>): block s reduces segment s in double, out[s] = (float)result.</summary>
    public static void Reduce(ReduceArgs r, ArrayView<float> x, ArrayView<float> y, ArrayView<float> output)
    {
        var shared = SharedMemory.Allocate<double>(ReduceThreads);
        int s = Grid.IdxX, tid = Group.IdxX;
        long count = (long)r.Outer * r.Inner;
        bool max = r.Mode == ReduceMode.Max;
        double acc = max ? double.NegativeInfinity : 0;
        for (long e = tid; e < count; e += Group.DimX)
        {
            long i = e / r.Inner, j = e - i * r.Inner, at = (i * r.Segments + s) * r.Inner + j;
            float v = x[at];
            if (r.Mode == ReduceMode.Sum) acc += v;
            else if (r.Mode == ReduceMode.SquaredDifference) { float d = v - y[at]; acc += (double)(d * d); }
            else if (r.Mode == ReduceMode.ReluSquares) { float d = v - r.Bound; if (d > 0) acc += (double)(d * d); }
            else if (v > acc) acc = v;
        }
        shared[tid] = acc;
        Group.Barrier();
        for (int half = Group.DimX / 2; half > 0; half /= 2)
        {
            if (tid < half)
            {
                double o = shared[tid + half];
                shared[tid] = max ? (o > shared[tid] ? o : shared[tid]) : shared[tid] + o;
            }
            Group.Barrier();
        }
        if (tid == 0) output[s] = r.Accumulate != 0 ? output[s] + (float)shared[0] : (float)shared[0];
    }

    /// <summary>
    /// Batch statistics of channel s (as <c>F.BatchNorm</c> in training): μ and 1/√(σ² + ε) from sums in double, and the
    /// running statistics updated with momentum (unbiased variance).
    /// </summary>
    public static void BatchNormStats(ReduceArgs r, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> invStd,
        ArrayView<float> runningMean, ArrayView<float> runningVar, float momentum, float eps)
    {
        var s1 = SharedMemory.Allocate<double>(ReduceThreads);
        var s2 = SharedMemory.Allocate<double>(ReduceThreads);
        int s = Grid.IdxX, tid = Group.IdxX;
        long count = (long)r.Outer * r.Inner;
        double a = 0, b = 0;
        for (long e = tid; e < count; e += Group.DimX)
        {
            long i = e / r.Inner, j = e - i * r.Inner;
            float v = x[(i * r.Segments + s) * r.Inner + j];
            a += v; b += (double)v * v;
        }
        s1[tid] = a; s2[tid] = b;
        Group.Barrier();
        for (int half = Group.DimX / 2; half > 0; half /= 2)
        {
            if (tid < half) { s1[tid] += s1[tid + half]; s2[tid] += s2[tid + half]; }
            Group.Barrier();
        }
        if (tid == 0)
        {
            double mu = s1[0] / count, var = s2[0] / count - mu * mu;
            if (var < 0) var = 0;
            mean[s] = (float)mu;
            invStd[s] = (float)(1.0 / Sqrt(var + eps));
            runningMean[s] = (1 - momentum) * runningMean[s] + momentum * (float)mu;
            runningVar[s] = (1 - momentum) * runningVar[s] + momentum * (float)(var * count / (count - 1));
        }
    }

    /// <summary>Σg and Σg·x̂ of channel s with x̂ = (z − μ)·istd (in double), written to dβ and dγ.</summary>
    public static void BatchNormBackwardSums(ReduceArgs r, ArrayView<float> g, ArrayView<float> z, ArrayView<float> mean,
        ArrayView<float> invStd, ArrayView<float> sumG, ArrayView<float> sumGX)
    {
        var s1 = SharedMemory.Allocate<double>(ReduceThreads);
        var s2 = SharedMemory.Allocate<double>(ReduceThreads);
        int s = Grid.IdxX, tid = Group.IdxX;
        long count = (long)r.Outer * r.Inner;
        float mu = mean[s], istd = invStd[s];
        double a = 0, b = 0;
        for (long e = tid; e < count; e += Group.DimX)
        {
            long i = e / r.Inner, j = e - i * r.Inner, at = (i * r.Segments + s) * r.Inner + j;
            float gv = g[at];
            a += gv; b += gv * (z[at] - mu) * istd;
        }
        s1[tid] = a; s2[tid] = b;
        Group.Barrier();
        for (int half = Group.DimX / 2; half > 0; half /= 2)
        {
            if (tid < half) { s1[tid] += s1[tid + half]; s2[tid] += s2[tid + half]; }
            Group.Barrier();
        }
        if (tid == 0) { sumG[s] = (float)s1[0]; sumGX[s] = (float)s2[0]; }
    }

    /// <summary>y = z·scale + shift per channel, scale = γ·istd, shift = β − μ·scale.</summary>
    public static void BatchNormApply(Index1D i, ArrayView<float> z, ArrayView<float> mean, ArrayView<float> invStd,
        ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y, int channels, int inner)
    {
        int ch = (int)((i / inner) % channels);
        float scale = gamma[ch] * invStd[ch], shift = beta[ch] - mean[ch] * scale;
        y[i] = z[i] * scale + shift;
    }

    /// <summary>dz = γ·istd/M·(M·g − Σg − x̂·Σg·x̂) (training-mode batch norm), M values per channel.</summary>
    public static void BatchNormBackward(Index1D i, ArrayView<float> g, ArrayView<float> z, ArrayView<float> mean, ArrayView<float> invStd,
        ArrayView<float> gamma, ArrayView<float> sumG, ArrayView<float> sumGX, ArrayView<float> dz, int channels, int inner, int count)
    {
        int ch = (int)((i / inner) % channels);
        float istd = invStd[ch], k = gamma[ch] * istd / count;
        float xh = (z[i] - mean[ch]) * istd;
        dz[i] = k * (count * g[i] - sumG[ch] - xh * sumGX[ch]);
    }

    /// <summary>m_h = tanh(a + δ·t) (t the feedback Wᵀm_o; without feedback m_h = tanh a).</summary>
    public static void FeedbackTanh(Index1D i, ArrayView<float> a, ArrayView<float> t, ArrayView<float> mh, float delta, int feedback)
    {
        float u = feedback != 0 ? a[i] + t[i] * delta : a[i];
        mh[i] = DeviceMath.Tanh(u);
    }

    /// <summary>μ = (y + b_c)·δ per channel.</summary>
    public static void AddBiasScale(Index1D i, ArrayView<float> y, ArrayView<float> bias, ArrayView<float> mu, float delta, int channels, int inner)
    {
        int ch = (int)((i / inner) % channels);
        mu[i] = (y[i] + bias[ch]) * delta;
    }

    /// <summary>1 − m².</summary>
    public static void SpinVariance(Index1D i, ArrayView<float> m, ArrayView<float> s) => s[i] = 1f - m[i] * m[i];

    /// <summary>
    /// Output magnetisation: with variance, r = 1/√(1 + (π/2)·max(v, 0)) and m_o = tanh(μ·r) (<c>BlockOps.GaussianTanh</c>);
    /// without, m_o = tanh μ.
    /// </summary>
    public static void OutputTanh(Index1D i, ArrayView<float> mu, ArrayView<float> v, ArrayView<float> r, ArrayView<float> mo, int withVariance)
    {
        if (withVariance != 0)
        {
            float vi = v[i];
            float ri = 1f / DeviceMath.Sqrt(1f + (MathF.PI / 2) * (vi > 0f ? vi : 0f));
            r[i] = ri;
            mo[i] = DeviceMath.Tanh(mu[i] * ri);
        }
        else mo[i] = DeviceMath.Tanh(mu[i]);
    }

    /// <summary>
    /// Readout noise (<c>BlockOps.ReadoutNoise</c>): ε_i the Box–Muller normal of Philox words (i even: 2⌊i/2⌋, 2⌊i/2⌋ + 1)
    /// of (seed, stream), ρ·cos θ for even i and ρ·sin θ for odd, as <c>Philox.FillNormal</c>; y = m + √max(0, (1 − m²)/G)·ε.
    /// </summary>
    public static void ReadoutNoise(Index1D i, ArrayView<float> m, ArrayView<float> eps, ArrayView<float> y, ulong seed, ulong stream, float invG)
    {
        ulong pair = (ulong)(i & ~1);
        var (x0, x1, x2, x3) = Philox.Block(seed, stream, pair >> 2);
        bool low = (pair & 3) == 0;
        uint w0 = low ? x0 : x2, w1 = low ? x1 : x3;
        float u = Philox.ToUniformOpenZero(w0), theta = Philox.ToUniform(w1) * (2f * MathF.PI);
        float rho = DeviceMath.Sqrt(-2f * DeviceMath.Log(u));
        DeviceMath.SinCos(theta, out float sin, out float cos);
        float e = (i & 1) == 0 ? rho * cos : rho * sin;
        eps[i] = e;
        float mi = m[i], q = (1 - mi * mi) * invG;
        y[i] = mi + DeviceMath.Sqrt(q > 0f ? q : 0f) * e;
    }

    /// <summary>x = +1 if y ≥ 0 else −1 (<c>F.SignSte</c> forward).</summary>
    public static void Sign(Index1D i, ArrayView<float> y, ArrayView<float> x) => x[i] = y[i] >= 0f ? 1f : -1f;

    /// <summary>
    /// Readout and loss of row n: scores_k = Σ_p x[n, k·P + p]/P, logits = scale·scores, softmax cross-entropy against the
    /// target q = (1 − ε)·onehot + ε/K (ε = <paramref name="smoothing"/>); writes the row's loss −Σ_k q_k log softmax_k,
    /// ∂/∂x (= (softmax − q)·scale/(N·P)) and the row's part of ∂/∂scale (Σ_k (softmax − q)_k·scores_k/N).
    /// </summary>
    public static void ReadoutLoss(Index1D n, ArrayView<float> x, ArrayView<int> labels, ArrayView<float> scale, ArrayView<float> gx,
        ArrayView<float> rowLoss, ArrayView<float> rowScaleGrad, ArrayView<float> work, int classes, int population, int rows, float smoothing)
    {
        int width = classes * population;
        int r = n; long row = (long)r * width, w = (long)r * classes;
        float inv = 1f / population, s = scale[0], max = float.NegativeInfinity;
        for (int k = 0; k < classes; k++)
        {
            float acc = 0;
            for (int p = 0; p < population; p++) acc += x[row + k * population + p] * inv;
            float z = acc * s;
            work[w + k] = acc;
            if (z > max) max = z;
        }
        double sum = 0;
        for (int k = 0; k < classes; k++) sum += DeviceMath.Exp(work[w + k] * s - max);
        int y = labels[n];
        float logSum = DeviceMath.Log((float)sum) + max, offTarget = smoothing / classes;
        float loss = 0;
        for (int k = 0; k < classes; k++)
        {
            float q = (k == y ? 1f - smoothing : 0f) + offTarget;
            if (q > 0f) loss += q * (logSum - work[w + k] * s);
        }
        rowLoss[n] = loss;
        float gs = 0, per = 1f / rows;
        for (int k = 0; k < classes; k++)
        {
            float score = work[w + k];
            float prob = (float)(DeviceMath.Exp(score * s - max) / sum);
            float gl = (prob - ((k == y ? 1f - smoothing : 0f) + offTarget)) * per;
            gs += gl * score;
            float gscore = gl * s * inv;
            for (int p = 0; p < population; p++) gx[row + k * population + p] = gscore;
        }
        rowScaleGrad[n] = gs;
    }

    /// <summary>Straight-through sign backward: g where −1 ≤ y ≤ 1, else 0.</summary>
    public static void SignBackward(Index1D i, ArrayView<float> g, ArrayView<float> y, ArrayView<float> output)
    {
        float v = y[i];
        output[i] = v >= -1f && v <= 1f ? g[i] : 0f;
    }

    /// <summary>Readout-noise backward: g·(1 + ε·∂sd/∂m), sd = √max(0, (1 − m²)/G), ∂sd/∂m = −m/(G·sd) (0 where sd ≤ 10⁻⁶).</summary>
    public static void ReadoutNoiseBackward(Index1D i, ArrayView<float> g, ArrayView<float> m, ArrayView<float> eps, ArrayView<float> output, float invG)
    {
        float mi = m[i], q = (1 - mi * mi) * invG;
        float sd = DeviceMath.Sqrt(q > 0f ? q : 0f);
        float dsd = sd > 1e-6f ? -mi * invG / sd : 0f;
        output[i] = g[i] * (1 + eps[i] * dsd);
    }

    /// <summary>
    /// Output-magnetisation backward: with variance, ∂μ = g(1 − m_o²)·r and ∂v = −g(1 − m_o²)·μ·(π/2)·r³/2 (0 where v &lt; 0);
    /// without, ∂μ = g(1 − m_o²). Both are then scaled by δ (μ = δ(Wm_h + b), v = δ²(W²)(1 − m_h²)): gMu = δ·∂μ, gV = δ²·∂v.
    /// </summary>
    public static void OutputTanhBackward(Index1D i, ArrayView<float> g, ArrayView<float> mu, ArrayView<float> v, ArrayView<float> r,
        ArrayView<float> mo, ArrayView<float> gMu, ArrayView<float> gV, float delta, int withVariance)
    {
        float y = mo[i], d = g[i] * (1 - y * y);
        if (withVariance != 0)
        {
            float ri = r[i];
            gMu[i] = d * ri * delta;
            float dv = v[i] < 0 ? 0 : -g[i] * (1 - y * y) * mu[i] * (MathF.PI / 2) * ri * ri * ri / 2;
            gV[i] = dv * (delta * delta);
        }
        else gMu[i] = d * delta;
    }

    /// <summary>gu = g·(1 − m²) (tanh backward from its output).</summary>
    public static void TanhBackward(Index1D i, ArrayView<float> g, ArrayView<float> m, ArrayView<float> output)
    {
        float y = m[i];
        output[i] = g[i] * (1 - y * y);
    }

    /// <summary>g += c·x.</summary>
    public static void AddScaled(Index1D i, ArrayView<float> x, ArrayView<float> g, float c) => g[i] += c * x[i];

    /// <summary>Fixed-point residual backward: d = m_now − m_before, g_now += c·d, g_before −= c·d (c = 2·weight/count).</summary>
    public static void ResidualBackward(Index1D i, ArrayView<float> now, ArrayView<float> before, ArrayView<float> gNow, ArrayView<float> gBefore, float c)
    {
        float d = c * (now[i] - before[i]);
        gNow[i] += d;
        gBefore[i] -= d;
    }

    /// <summary>g_m += −2m·g_s (through s = 1 − m²).</summary>
    public static void SpinVarianceBackward(Index1D i, ArrayView<float> m, ArrayView<float> gs, ArrayView<float> gm) => gm[i] += -2f * m[i] * gs[i];

    /// <summary>out = |w|, sq = w².</summary>
    public static void AbsSquare(Index1D i, ArrayView<float> w, ArrayView<float> abs, ArrayView<float> square)
    {
        float v = w[i];
        abs[i] = v < 0 ? -v : v;
        square[i] = v * v;
    }

    /// <summary>g = c·2·relu(rows − b) (the magnitude penalty's gradient by row sum, c = weight·δ/count).</summary>
    public static void PenaltyGradient(Index1D i, ArrayView<float> rows, ArrayView<float> g, float bound, float c)
    {
        float d = rows[i] - bound;
        g[i] = d > 0 ? c * 2f * d : 0f;
    }

    /// <summary>gW += sign(w)·gAbs + 2w·gSquare (gradients through |w| and w²).</summary>
    public static void WeightFromAbsSquare(Index1D i, ArrayView<float> w, ArrayView<float> gAbs, ArrayView<float> gSquare, ArrayView<float> gw)
    {
        float v = w[i];
        float sign = v > 0 ? 1f : v < 0 ? -1f : 0f;
        gw[i] += sign * gAbs[i] + 2f * v * gSquare[i];
    }

    /// <summary>AdamW (the scalar form of the CPU optimiser's <c>AdamW.Update</c>): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p·decay − lr·c₁·m/(√(v·c₂) + ε).</summary>
    public static void AdamW(Index1D i, AdamWArgs a, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v)
    {
        float gi = g[i];
        float mi = a.Beta1 * m[i] + a.OneMinusBeta1 * gi;
        float vi = a.Beta2 * v[i] + a.OneMinusBeta2 * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] = p[i] * a.Decay - a.LrC1 * mi / (DeviceMath.Sqrt(vi * a.C2) + a.Eps);
    }

    /// <summary>x = value.</summary>
    public static void Fill(Index1D i, ArrayView<float> x, float value) => x[i] = value;

    static double Sqrt(double x)
    {
        if (ILGPU.Runtime.Cuda.CudaAsm.IsSupported)
        {
            ILGPU.Runtime.Cuda.CudaAsm.Emit("sqrt.rn.f64 %0, %1;", out double r, x);
            return r;
        }
        return Math.Sqrt(x);
    }
}
