using Thermo.Kernels;
using Thermo.Autograd;
using Thermo.Randomness;
using Thermo.Tensors;

namespace Thermo.Blocks;

/// <summary>Differentiable operations specific to Ising-block surrogates.</summary>
public static partial class BlockOps
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
        var y = Tensor.Empty(mu.Shape);
        var r = Tensor.Empty(mu.Shape);
        var md = mu.Data; var vd = variance.Data; var yd = y.Data; var rd = r.Data;
        F.Chunked(yd.Length, (s, e) => GaussianTanhForward(md, vd, yd, rd, s, e));
        return F.Record(y, g =>
        {
            var gd = g.Data;
            if (mu.RequiresGrad)
            {
                var sink = GradBuffer.Sink(mu, out bool overwrite);
                F.Chunked(yd.Length, (s, e) => GaussianTanhMeanGrad(gd, yd, rd, sink, overwrite, s, e));
            }
            if (variance.RequiresGrad)
            {
                var sink = GradBuffer.Sink(variance, out bool overwrite);
                F.Chunked(yd.Length, (s, e) => GaussianTanhVarianceGrad(gd, yd, rd, md, vd, sink, overwrite, s, e));
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
        var y = Tensor.Empty(m.Shape);
        var md = m.Data; var ed = eps.Data; var yd = y.Data;
        float invG = 1f / effectiveSamples;
        // Noise and output chunk by chunk while the chunk is in cache. Chunks start at multiples of 4, so element i is
        // normal number i of (seed, stream) however the chunks are shared among threads.
        int chunks = (md.Length + NoiseChunk - 1) / NoiseChunk;
        void Draw(int c0, int c1)
        {
            for (int c = c0; c < c1; c++)
            {
                int s = c * NoiseChunk, e = Math.Min(md.Length, s + NoiseChunk);
                Philox.FillNormal(seed, stream, (ulong)s, ed.AsSpan(s, e - s));
                NoisyReadout(md, ed, yd, invG, s, e);
            }
        }
        Elementwise.For(chunks, md.Length, Draw);
        return F.Record(y, g =>
        {
            var gd = g.Data;
            var sink = GradBuffer.Sink(m, out bool overwrite);
            F.Chunked(md.Length, (s, e) => NoisyReadoutGrad(gd, md, ed, invG, sink, overwrite, s, e));
        }, m);
    }

    /// <summary>1 − m² elementwise: the variance of a ±1 spin with mean m. d/dm = −2m.</summary>
    public static Tensor SpinVariance(Tensor m)
    {
        var y = Tensor.Empty(m.Shape);
        Elementwise.OneMinusSquare(m.Data, y.Data);
        return F.Record(y, g =>
        {
            var sink = GradBuffer.Sink(m, out bool overwrite);
            Elementwise.ScaledProductBackward(g.Data, m.Data, -2f, sink, overwrite);
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
