using Thermo.Kernels;
using Thermo.Autograd;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Blocks;

/// <summary>Differentiable operations specific to Ising-block surrogates.</summary>
public static class BlockOps
{
    /// <summary>
    /// Expected spin under a Gaussian field: E[tanh(Z)] for Z ~ N(μ, σ²) ≈ tanh(μ / √(1 + (π/2)σ²)) (the probit
    /// approximation of the logistic, σ(2z) ≈ Φ(√(π/8)·2z)). In a block, the output spin's field is
    /// δ(W h + b) with h a layer of independent ±1 spins of means m, so by the central limit theorem
    /// μ = δ(W m + b), σ² = δ² W²(1 − m²). Plain mean field (σ² = 0) ignores this and overestimates |m|.
    /// </summary>
    public static Tensor GaussianTanh(Tensor mu, Tensor variance)
    {
        if (!mu.Shape.AsSpan().SequenceEqual(variance.Shape)) throw new ArgumentException($"GaussianTanh: shapes {mu.ShapeString} and {variance.ShapeString} differ");
        const float c = MathF.PI / 2;
        var y = Tensor.Empty(mu.Shape);
        var r = Tensor.Empty(mu.Shape);
        var md = mu.Data; var vd = variance.Data; var yd = y.Data; var rd = r.Data;
        ParallelRange.For(yd.Length, 1 << 14, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                float ri = 1f / MathF.Sqrt(1f + c * MathF.Max(vd[i], 0f));
                rd[i] = ri;
                yd[i] = MathF.Tanh(md[i] * ri);
            }
        });
        return F.Record(y, g =>
        {
            var gd = g.Data;
            if (mu.RequiresGrad)
            {
                var dm = Tensor.Empty(mu.Shape).Data;
                for (int i = 0; i < yd.Length; i++) dm[i] = gd[i] * (1 - yd[i] * yd[i]) * rd[i];
                GradBuffer.Accumulate(mu, dm);
            }
            if (variance.RequiresGrad)
            {
                var dv = Tensor.Empty(mu.Shape).Data;
                for (int i = 0; i < yd.Length; i++)
                {
                    float ri = rd[i];
                    dv[i] = vd[i] < 0 ? 0 : -gd[i] * (1 - yd[i] * yd[i]) * md[i] * c * ri * ri * ri / 2;
                }
                GradBuffer.Accumulate(variance, dv);
            }
        }, mu, variance);
    }

    /// <summary>
    /// The time average of G samples of ±1 spins with mean m, as a Gaussian: m + √((1 − m²)/G_eff)·ε,
    /// ε ~ N(0,1) from Philox(seed, stream). Training against it ("Gibbs regularisation") teaches the
    /// network the readout noise of a finite number of samples. Differentiable in m (noise std included).
    /// </summary>
    public static Tensor ReadoutNoise(Tensor m, float effectiveSamples, ulong seed, ulong stream)
    {
        if (effectiveSamples <= 0) throw new ArgumentException($"effective samples must be positive, got {effectiveSamples}");
        var eps = Tensor.Empty(m.Shape);
        int padded = (m.Length + 3) & ~3;
        if (padded == m.Length) Philox.FillNormal(seed, stream, 0, eps.Data);
        else
        {
            var tmp = new float[padded];
            Philox.FillNormal(seed, stream, 0, tmp);
            tmp.AsSpan(0, m.Length).CopyTo(eps.Data);
        }
        var y = Tensor.Empty(m.Shape);
        var md = m.Data; var ed = eps.Data; var yd = y.Data;
        float invG = 1f / effectiveSamples;
        for (int i = 0; i < yd.Length; i++) yd[i] = md[i] + MathF.Sqrt(MathF.Max(0f, (1 - md[i] * md[i]) * invG)) * ed[i];
        return F.Record(y, g =>
        {
            var d = Tensor.Empty(m.Shape).Data;
            for (int i = 0; i < yd.Length; i++)
            {
                float sd = MathF.Sqrt(MathF.Max(0f, (1 - md[i] * md[i]) * invG));
                float dsd = sd > 1e-6f ? -md[i] * invG / sd : 0f;
                d[i] = g.Data[i] * (1 + ed[i] * dsd);
            }
            GradBuffer.Accumulate(m, d);
        }, m);
    }

    /// <summary>1 − m² elementwise: the variance of a ±1 spin with mean m. d/dm = −2m.</summary>
    public static Tensor SpinVariance(Tensor m)
    {
        var y = Tensor.Empty(m.Shape);
        var md = m.Data; var yd = y.Data;
        for (int i = 0; i < yd.Length; i++) yd[i] = 1f - md[i] * md[i];
        return F.Record(y, g =>
        {
            var d = Tensor.Empty(m.Shape).Data;
            for (int i = 0; i < d.Length; i++) d[i] = -2f * md[i] * g.Data[i];
            GradBuffer.Accumulate(m, d);
        }, m);
    }

    /// <summary>
    /// Symmetric uniform quantisation of couplings to <paramref name="bits"/> bits with one scale per tensor,
    /// Δ = max|w|/(2^(bits−1) − 1), q(w) = Δ·round(w/Δ), times an optional 0/1 <paramref name="mask"/>
    /// (sparsified couplings). Straight-through gradient: ∂q/∂w = mask. bits ≥ 32 leaves values unquantised.
    /// </summary>
    public static Tensor FakeQuantize(Tensor w, int bits, Tensor? mask)
    {
        if (bits < 2) throw new ArgumentException($"coupling bits must be at least 2, got {bits}");
        var y = Tensor.Empty(w.Shape);
        var wd = w.Data; var yd = y.Data; var md = mask?.Data;
        float step = QuantStep(wd, md, bits);
        for (int i = 0; i < yd.Length; i++)
        {
            float v = md is not null && md[i] == 0 ? 0f : wd[i];
            yd[i] = step > 0 ? MathF.Round(v / step) * step : v;
        }
        return F.Record(y, g =>
        {
            if (md is null) { GradBuffer.Accumulate(w, g.Data); return; }
            var d = Tensor.Empty(w.Shape).Data;
            for (int i = 0; i < d.Length; i++) d[i] = g.Data[i] * md[i];
            GradBuffer.Accumulate(w, d);
        }, w);
    }

    /// <summary>Quantisation step Δ = max|w·mask|/(2^(bits−1) − 1); 0 (no quantisation) for bits ≥ 32 or all-zero weights.</summary>
    public static float QuantStep(ReadOnlySpan<float> w, ReadOnlySpan<float> mask, int bits)
    {
        if (bits >= 32) return 0f;
        float max = 0;
        for (int i = 0; i < w.Length; i++)
            if (mask.IsEmpty || mask[i] != 0) max = MathF.Max(max, MathF.Abs(w[i]));
        return max / ((1 << (bits - 1)) - 1);
    }
}
