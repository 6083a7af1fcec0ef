using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Thermo.Kernels;

namespace Thermo.Blocks;

// The elementwise loops of BlockOps on [s, e): each vector form repeats its scalar tail's expression lane by lane
// (same operations, same order, IEEE square root), so the result does not depend on where a vector or a thread starts.
// The gradients, with three to five streams, use 256-bit lanes (as Elementwise's backward passes): 512-bit loads of
// 16-byte-aligned arrays all straddle cache lines, and measured slower.
public static unsafe partial class BlockOps
{
    /// <summary>Normals drawn per piece of <see cref="ReadoutNoise"/> (a multiple of 4, small enough to stay in cache).</summary>
    const int NoiseChunk = 4096;

    const float HalfPi = MathF.PI / 2;

    /// <summary>y = m + √max(0, (1 − m²)/G)·ε.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void NoisyReadout(float[] m, float[] eps, float[] y, float invG, int s, int e)
    {
        fixed (float* pm = m, pe = eps, py = y)
        {
            int i = s;
            if (Vector512.IsHardwareAccelerated)
            {
                var g = Vector512.Create(invG);
                for (; i + 16 <= e; i += 16)
                {
                    var mi = Vector512.Load(pm + i);
                    var sd = Vector512.Sqrt(Vector512.Max(Vector512<float>.Zero, (Vector512<float>.One - mi * mi) * g));
                    Vector512.Store(mi + sd * Vector512.Load(pe + i), py + i);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var g = Vector256.Create(invG);
                for (; i + 8 <= e; i += 8)
                {
                    var mi = Vector256.Load(pm + i);
                    var sd = Vector256.Sqrt(Vector256.Max(Vector256<float>.Zero, (Vector256<float>.One - mi * mi) * g));
                    Vector256.Store(mi + sd * Vector256.Load(pe + i), py + i);
                }
            }
            for (; i < e; i++) py[i] = pm[i] + MathF.Sqrt(MathF.Max(0f, (1 - pm[i] * pm[i]) * invG)) * pe[i];
        }
    }

    /// <summary>d = g·(1 + ε·∂sd/∂m) with sd = √max(0, (1 − m²)/G), ∂sd/∂m = −m/(G·sd) (0 where sd ≤ 10⁻⁶).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void NoisyReadoutGrad(float[] grad, float[] m, float[] eps, float invG, float[] sink, bool overwrite, int s, int e)
    {
        fixed (float* pg = grad, pm = m, pe = eps, pd = sink)
        {
            int i = s;
            if (Vector256.IsHardwareAccelerated)
            {
                var g = Vector256.Create(invG); var tiny = Vector256.Create(1e-6f);
                for (; i + 8 <= e; i += 8)
                {
                    var mi = Vector256.Load(pm + i);
                    var sd = Vector256.Sqrt(Vector256.Max(Vector256<float>.Zero, (Vector256<float>.One - mi * mi) * g));
                    var dsd = Vector256.ConditionalSelect(Vector256.GreaterThan(sd, tiny), -mi * g / sd, Vector256<float>.Zero);
                    var d = Vector256.Load(pg + i) * (Vector256<float>.One + Vector256.Load(pe + i) * dsd);
                    Vector256.Store(overwrite ? d : Vector256.Load(pd + i) + d, pd + i);
                }
            }
            for (; i < e; i++)
            {
                float sd = MathF.Sqrt(MathF.Max(0f, (1 - pm[i] * pm[i]) * invG));
                float dsd = sd > 1e-6f ? -pm[i] * invG / sd : 0f;
                float d = pg[i] * (1 + pe[i] * dsd);
                pd[i] = overwrite ? d : pd[i] + d;
            }
        }
    }

    /// <summary>r = 1/√(1 + (π/2)·max(v, 0)), y = tanh(μ·r) (the rational tanh of <see cref="Activations"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GaussianTanhForward(float[] mu, float[] variance, float[] y, float[] r, int s, int e)
    {
        fixed (float* pm = mu, pv = variance, py = y, pr = r)
        {
            int i = s;
            if (Vector512.IsHardwareAccelerated)
            {
                var c = Vector512.Create(HalfPi);
                for (; i + 16 <= e; i += 16)
                {
                    var ri = Vector512<float>.One / Vector512.Sqrt(Vector512<float>.One + c * Vector512.Max(Vector512.Load(pv + i), Vector512<float>.Zero));
                    Vector512.Store(ri, pr + i);
                    Vector512.Store(Activations.Tanh(Vector512.Load(pm + i) * ri), py + i);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var c = Vector256.Create(HalfPi);
                for (; i + 8 <= e; i += 8)
                {
                    var ri = Vector256<float>.One / Vector256.Sqrt(Vector256<float>.One + c * Vector256.Max(Vector256.Load(pv + i), Vector256<float>.Zero));
                    Vector256.Store(ri, pr + i);
                    Vector256.Store(Activations.Tanh(Vector256.Load(pm + i) * ri), py + i);
                }
            }
            for (; i < e; i++)
            {
                float ri = 1f / MathF.Sqrt(1f + HalfPi * MathF.Max(pv[i], 0f));
                pr[i] = ri;
                py[i] = Activations.Tanh(pm[i] * ri);
            }
        }
    }

    /// <summary>∂y/∂μ: d = g·(1 − y²)·r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GaussianTanhMeanGrad(float[] grad, float[] y, float[] r, float[] sink, bool overwrite, int s, int e)
    {
        fixed (float* pg = grad, py = y, pr = r, pd = sink)
        {
            int i = s;
            if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= e; i += 8)
                {
                    var yi = Vector256.Load(py + i);
                    var d = Vector256.Load(pg + i) * (Vector256<float>.One - yi * yi) * Vector256.Load(pr + i);
                    Vector256.Store(overwrite ? d : Vector256.Load(pd + i) + d, pd + i);
                }
            for (; i < e; i++)
            {
                float d = pg[i] * (1 - py[i] * py[i]) * pr[i];
                pd[i] = overwrite ? d : pd[i] + d;
            }
        }
    }

    /// <summary>∂y/∂v: d = v &lt; 0 ? 0 : −g·(1 − y²)·μ·(π/2)·r³/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GaussianTanhVarianceGrad(float[] grad, float[] y, float[] r, float[] mu, float[] variance, float[] sink, bool overwrite, int s, int e)
    {
        fixed (float* pg = grad, py = y, pr = r, pm = mu, pv = variance, pd = sink)
        {
            int i = s;
            if (Vector256.IsHardwareAccelerated)
            {
                var c = Vector256.Create(HalfPi); var two = Vector256.Create(2f);
                for (; i + 8 <= e; i += 8)
                {
                    var yi = Vector256.Load(py + i); var ri = Vector256.Load(pr + i);
                    var d = -Vector256.Load(pg + i) * (Vector256<float>.One - yi * yi) * Vector256.Load(pm + i) * c * ri * ri * ri / two;
                    d = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Load(pv + i), Vector256<float>.Zero), Vector256<float>.Zero, d);
                    Vector256.Store(overwrite ? d : Vector256.Load(pd + i) + d, pd + i);
                }
            }
            for (; i < e; i++)
            {
                float ri = pr[i];
                float d = pv[i] < 0 ? 0 : -pg[i] * (1 - py[i] * py[i]) * pm[i] * HalfPi * ri * ri * ri / 2;
                pd[i] = overwrite ? d : pd[i] + d;
            }
        }
    }
}
