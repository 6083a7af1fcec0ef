using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Thermo.Kernels;

/// <summary>Vectorised elementwise activations and their backward passes on spans (threads split long spans).</summary>
public static unsafe class Activations
{
    /// <summary>Elements per thread below which an elementwise kernel stays on the calling thread.</summary>
    const int ChunkPerThread = 1 << 15;

    // tanh(x) ≈ x·P(x²)/Q(x²) on |x| ≤ 7.905 (where tanh rounds to ±1 in float): the rational minimax fit used by
    // Eigen (ptanh_float), within a few ulp of the exact value.
    const float Clamp = 7.90531110763549805f;
    const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f, A7 = 5.12229709037114e-08f;
    const float A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    /// <summary>y = tanh(x) (x and y may be the same span).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException($"Tanh: output has {y.Length} elements, input {x.Length}");
        fixed (float* px = x, py = y)
        {
            nint sx = (nint)px, sy = (nint)py;
            if (x.Length < 2 * ChunkPerThread) TanhRange(px, py, x.Length);
            else KernelParallel.For(x.Length, KernelParallel.Pieces(4), (s, e) => TanhRange((float*)sx + s, (float*)sy + s, e - s));
        }
    }

    /// <summary>
    /// Backward of tanh from its output: d = g ⊙ (1 − y²); <paramref name="sink"/> = d when
    /// <paramref name="overwrite"/>, else sink += d.
    /// </summary>
    public static void TanhBackward(ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> y, Span<float> sink, bool overwrite)
    {
        if (y.Length != gradOutput.Length || sink.Length < y.Length) throw new ArgumentException("TanhBackward: lengths differ");
        fixed (float* pg = gradOutput, py = y, ps = sink)
        {
            nint sg = (nint)pg, sy = (nint)py, ss = (nint)ps;
            if (y.Length < 2 * ChunkPerThread) TanhBackwardRange(pg, py, ps, y.Length, overwrite);
            else KernelParallel.For(y.Length, KernelParallel.Pieces(4), (s, e) =>
                TanhBackwardRange((float*)sg + s, (float*)sy + s, (float*)ss + s, e - s, overwrite));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TanhRange(float* x, float* y, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16) Vector512.Store(Tanh(Vector512.Load(x + i)), y + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8) Vector256.Store(Tanh(Vector256.Load(x + i)), y + i);
        for (; i < n; i++) y[i] = Tanh(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TanhBackwardRange(float* g, float* y, float* sink, int n, bool overwrite)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            if (overwrite)
                for (; i + 16 <= n; i += 16)
                {
                    var yi = Vector512.Load(y + i);
                    Vector512.Store(Vector512.Load(g + i) * (one - yi * yi), sink + i);
                }
            else
                for (; i + 16 <= n; i += 16)
                {
                    var yi = Vector512.Load(y + i);
                    Vector512.Store(Vector512.Load(sink + i) + Vector512.Load(g + i) * (one - yi * yi), sink + i);
                }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; i + 8 <= n; i += 8)
            {
                var yi = Vector256.Load(y + i);
                var d = Vector256.Load(g + i) * (one - yi * yi);
                Vector256.Store(overwrite ? d : Vector256.Load(sink + i) + d, sink + i);
            }
        }
        for (; i < n; i++)
        {
            float d = g[i] * (1f - y[i] * y[i]);
            sink[i] = overwrite ? d : sink[i] + d;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Tanh(Vector512<float> x)
    {
        x = Vector512.Clamp(x, Vector512.Create(-Clamp), Vector512.Create(Clamp));
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(A13), Vector512.Create(A11));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A9));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A7));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(A1));
        var q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(B6), Vector512.Create(B4));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(B2));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(B0));
        return x * p / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Tanh(Vector256<float> x)
    {
        x = Vector256.Clamp(x, Vector256.Create(-Clamp), Vector256.Create(Clamp));
        var x2 = x * x;
        var p = Vector256.FusedMultiplyAdd(x2, Vector256.Create(A13), Vector256.Create(A11));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A9));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A7));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(x2, p, Vector256.Create(A1));
        var q = Vector256.FusedMultiplyAdd(x2, Vector256.Create(B6), Vector256.Create(B4));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(B2));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(B0));
        return x * p / q;
    }

    /// <summary>The same rational approximation on one value (the vector tails use it, so all lanes agree).</summary>
    internal static float Tanh(float x)
    {
        x = Math.Clamp(x, -Clamp, Clamp);
        float x2 = x * x;
        float p = MathF.FusedMultiplyAdd(x2, A13, A11);
        p = MathF.FusedMultiplyAdd(x2, p, A9);
        p = MathF.FusedMultiplyAdd(x2, p, A7);
        p = MathF.FusedMultiplyAdd(x2, p, A5);
        p = MathF.FusedMultiplyAdd(x2, p, A3);
        p = MathF.FusedMultiplyAdd(x2, p, A1);
        float q = MathF.FusedMultiplyAdd(x2, B6, B4);
        q = MathF.FusedMultiplyAdd(x2, q, B2);
        q = MathF.FusedMultiplyAdd(x2, q, B0);
        return x * p / q;
    }
}
