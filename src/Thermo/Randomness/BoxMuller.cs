using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Thermo.Randomness;

/// <summary>
/// The Box–Muller transform of two Philox words a, b: z₀ = r·cos θ, z₁ = r·sin θ with r = √(−2 ln u), θ = 2πv,
/// u = (⌊a/2⁸⌋ + 1)/2²⁴ ∈ (0, 1] and v = ⌊b/2⁸⌋/2²⁴ ∈ [0, 1). It has its own float logarithm (Cephes' logf polynomial,
/// about 1 ulp) and sine/cosine, whose argument is reduced exactly: θ = (π/2)·q + x with q and x read off the
/// 24-bit integer behind v, |x| ≤ π/4, then Cephes' sinf/cosf polynomials. The vector form repeats the scalar one
/// lane by lane (the same operations, fused multiply–adds in the same places), so every normal is the same number
/// whichever path computes it.
/// </summary>
internal static class BoxMuller
{
    const float SqrtHalf = 0.707106781186547524f;
    const float L0 = 7.0376836292E-2f, L1 = -1.1514610310E-1f, L2 = 1.1676998740E-1f, L3 = -1.2420140846E-1f, L4 = 1.4249322787E-1f;
    const float L5 = -1.6668057665E-1f, L6 = 2.0000714765E-1f, L7 = -2.4999993993E-1f, L8 = 3.3333331174E-1f;
    const float Ln2Low = -2.12194440e-4f, Ln2High = 0.693359375f;
    const float S0 = -1.9515295891E-4f, S1 = 8.3321608736E-3f, S2 = -1.6666654611E-1f;
    const float C0 = 2.443315711809948E-5f, C1 = -1.388731625493765E-3f, C2 = 4.166664568298827E-2f;
    // 2π/2²⁴ = π/2²³ split in two floats, so x = s·(2π/2²⁴) is rounded once from the exact residual s.
    const float StepHigh = (float)(Math.PI / (1 << 23));
    const float StepLow = (float)(Math.PI / (1 << 23) - StepHigh);
    const int QuarterTurn = 1 << 22;

    /// <summary>z₀ = r·cos θ and z₁ = r·sin θ of the words <paramref name="a"/> (radius) and <paramref name="b"/> (angle).</summary>
    public static void Pair(uint a, uint b, out float z0, out float z1)
    {
        float r = Radius(a);
        SinCos(b, out float sin, out float cos);
        z0 = r * cos;
        z1 = r * sin;
    }

    /// <summary><see cref="Pair(uint, uint, out float, out float)"/> in 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pair(Vector512<uint> a, Vector512<uint> b, out Vector512<float> z0, out Vector512<float> z1)
    {
        var r = Radius(a);
        SinCos(b, out var sin, out var cos);
        z0 = r * cos;
        z1 = r * sin;
    }

    static float Radius(uint a)
    {
        float u = Philox.ToUniformOpenZero(a);
        int bits = BitConverter.SingleToInt32Bits(u);
        // u = m·2^e with m in [½, 1); m < √½ moves to [1, √2) so that x = m − 1 is in [√½ − 1, √2 − 1]. Both are exact.
        float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F000000);
        bool low = m < SqrtHalf;
        float e = (bits >> 23) - 126 - (low ? 1 : 0);
        float x = (low ? m + m : m) - 1f;
        float z = x * x;
        float y = MathF.FusedMultiplyAdd(L0, x, L1);
        y = MathF.FusedMultiplyAdd(y, x, L2);
        y = MathF.FusedMultiplyAdd(y, x, L3);
        y = MathF.FusedMultiplyAdd(y, x, L4);
        y = MathF.FusedMultiplyAdd(y, x, L5);
        y = MathF.FusedMultiplyAdd(y, x, L6);
        y = MathF.FusedMultiplyAdd(y, x, L7);
        y = MathF.FusedMultiplyAdd(y, x, L8);
        y = y * x * z;
        y = MathF.FusedMultiplyAdd(e, Ln2Low, y);
        y = MathF.FusedMultiplyAdd(z, -0.5f, y);
        float log = MathF.FusedMultiplyAdd(e, Ln2High, x + y);
        // 0 − 2·ln u rather than −2·ln u: +0 (not −0) at u = 1.
        return MathF.Sqrt(0f - 2f * log);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Radius(Vector512<uint> a)
    {
        var u = Vector512.ConvertToSingle((a >> 8) + Vector512<uint>.One) * Vector512.Create(1.0f / 16777216.0f);
        var bits = u.AsInt32();
        var m = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F000000)).AsSingle();
        var low = Vector512.LessThan(m, Vector512.Create(SqrtHalf));
        // low is all ones (−1 as an integer) where m < √½: adding it subtracts 1 from the exponent.
        var e = Vector512.ConvertToSingle((bits >> 23) - Vector512.Create(126) + low.AsInt32());
        var x = Vector512.ConditionalSelect(low, m + m, m) - Vector512<float>.One;
        var z = x * x;
        var y = Vector512.FusedMultiplyAdd(Vector512.Create(L0), x, Vector512.Create(L1));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L2));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L3));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L4));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L5));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L6));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L7));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L8));
        y = y * x * z;
        y = Vector512.FusedMultiplyAdd(e, Vector512.Create(Ln2Low), y);
        y = Vector512.FusedMultiplyAdd(z, Vector512.Create(-0.5f), y);
        var log = Vector512.FusedMultiplyAdd(e, Vector512.Create(Ln2High), x + y);
        return Vector512.Sqrt(Vector512<float>.Zero - Vector512.Create(2f) * log);
    }

    static void SinCos(uint b, out float sin, out float cos)
    {
        // θ = 2π·j/2²⁴ = (π/2)·q + s·2π/2²⁴ with q the nearest quarter turn and |s| ≤ 2²¹ (|x| ≤ π/4), both exact.
        int j = (int)(b >> 8);
        int q = (j + QuarterTurn / 2) >> 22;
        float s = j - (q << 22);
        float x = MathF.FusedMultiplyAdd(s, StepHigh, s * StepLow);
        float z = x * x;
        float ps = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(S0, z, S1), z, S2);
        float sx = MathF.FusedMultiplyAdd(ps * z, x, x);
        float pc = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(C0, z, C1), z, C2);
        float cx = MathF.FusedMultiplyAdd(pc * z, z, MathF.FusedMultiplyAdd(z, -0.5f, 1f));
        // sin θ, cos θ for q = 0, 1, 2, 3: (s, c), (c, −s), (−s, −c), (−c, s).
        bool swap = (q & 1) != 0;
        float sn = swap ? cx : sx, cs = swap ? sx : cx;
        sin = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(sn) ^ ((q & 2) << 30));
        cos = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(cs) ^ (((q + 1) & 2) << 30));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void SinCos(Vector512<uint> b, out Vector512<float> sin, out Vector512<float> cos)
    {
        var j = (b >> 8).AsInt32();
        var q = (j + Vector512.Create(QuarterTurn / 2)) >> 22;
        var s = Vector512.ConvertToSingle(j - (q << 22));
        var x = Vector512.FusedMultiplyAdd(s, Vector512.Create(StepHigh), s * Vector512.Create(StepLow));
        var z = x * x;
        var ps = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(S0), z, Vector512.Create(S1)), z, Vector512.Create(S2));
        var sx = Vector512.FusedMultiplyAdd(ps * z, x, x);
        var pc = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(C0), z, Vector512.Create(C1)), z, Vector512.Create(C2));
        var cx = Vector512.FusedMultiplyAdd(pc * z, z, Vector512.FusedMultiplyAdd(z, Vector512.Create(-0.5f), Vector512<float>.One));
        var swap = Vector512.Equals(q & Vector512<int>.One, Vector512<int>.One).AsSingle();
        var sn = Vector512.ConditionalSelect(swap, cx, sx);
        var cs = Vector512.ConditionalSelect(swap, sx, cx);
        sin = (sn.AsInt32() ^ ((q & Vector512.Create(2)) << 30)).AsSingle();
        cos = (cs.AsInt32() ^ (((q + Vector512<int>.One) & Vector512.Create(2)) << 30)).AsSingle();
    }
}
