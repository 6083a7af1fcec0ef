using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Thermo.Randomness;

namespace Thermo.Langevin;

/// <summary>
/// Counter-based standard normals ξ for the Langevin integrator: Philox4x32-10 words turned into normals by
/// Box–Muller (z₀ = r cos θ, z₁ = r sin θ with r = √(−2 ln u₁), θ = 2π u₂; u₁ ∈ (0, 1], u₂ ∈ [0, 1), 24-bit),
/// with its own float logarithm and sine/cosine so that the scalar definition and the 16-lane path agree bit for bit.
/// </summary>
/// <remarks>
/// Addressing (independent of vector width and thread count): within a stream (a trajectory), normal number
/// n comes from "call" c = n / 64, word w = (n / 16) mod 4, lane l = n mod 16 — the Philox block with
/// counter (c, l, stream_lo, stream_hi) and key = seed; Box–Muller pairs its words (0, 1) into w = 0, 1 and
/// (2, 3) into w = 2, 3. The integrator reads unit u of step k as n = k·P + u with P = 16·⌈M/16⌉, so one
/// call of 16 Philox blocks yields four 16-lane vectors of normals without any shuffling.
/// Box–Muller with 24-bit uniforms truncates |ξ| at √(2·24·ln 2) ≈ 5.77.
/// </remarks>
public static class LangevinNoise
{
    /// <summary>Normals per call.</summary>
    public const int CallSize = 64;

    /// <summary>True when the 16-lane path is used on this machine.</summary>
    public static bool Vectorized => PhiloxVector.IsAccelerated && Vector512.IsHardwareAccelerated;

    /// <summary>The normal number <paramref name="n"/> of (seed, stream), scalar (the definition; the vector path is bit-identical).</summary>
    public static float Normal(ulong seed, ulong stream, ulong n)
    {
        ulong call = n >> 6;
        uint lane = (uint)(n & 15), word = (uint)((n >> 4) & 3);
        var (x0, x1, x2, x3) = Philox.Block((uint)call, lane, (uint)stream, (uint)(stream >> 32), (uint)seed, (uint)(seed >> 32));
        uint a = word < 2 ? x0 : x2, b = word < 2 ? x1 : x3;
        float u1 = (float)(int)((a >> 8) + 1) * (1f / 16777216f);
        float u2 = (float)(int)(b >> 8) * (1f / 16777216f);
        float r = MathF.Sqrt(-2f * Log(u1));
        SinCosTwoPi(u2, out float sin, out float cos);
        return (word & 1) == 0 ? r * cos : r * sin;
    }

    // Natural logarithm for normal positive floats (Cephes logf: mantissa in [√½, √2), degree-8 polynomial).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Log(float u)
    {
        uint bits = BitConverter.SingleToUInt32Bits(u);
        int e = (int)(bits >> 23) - 126;
        float m = BitConverter.UInt32BitsToSingle((bits & 0x007FFFFFu) | 0x3F000000u);
        float x;
        if (m < SqrtHalf) { e -= 1; x = m + m - 1f; } else x = m - 1f;
        float z = x * x;
        float y = L8;
        y = MathF.FusedMultiplyAdd(y, x, L7); y = MathF.FusedMultiplyAdd(y, x, L6); y = MathF.FusedMultiplyAdd(y, x, L5);
        y = MathF.FusedMultiplyAdd(y, x, L4); y = MathF.FusedMultiplyAdd(y, x, L3); y = MathF.FusedMultiplyAdd(y, x, L2);
        y = MathF.FusedMultiplyAdd(y, x, L1); y = MathF.FusedMultiplyAdd(y, x, L0);
        y = y * x * z;
        float fe = e;
        y = MathF.FusedMultiplyAdd(fe, Ln2Lo, y);
        y = MathF.FusedMultiplyAdd(-0.5f, z, y);
        return MathF.FusedMultiplyAdd(fe, Ln2Hi, x + y);
    }

    // sin(2πu), cos(2πu) for u ∈ [0, 1): exact reduction to r = u − q/4 − round(u) ∈ [−1/8, 1/8], then Cephes
    // minimax polynomials on [−π/4, π/4] and a quadrant rotation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SinCosTwoPi(float u, out float sin, out float cos)
    {
        float t = u - MathF.Round(u);
        float q = MathF.Round(4f * t);
        float a = (t - 0.25f * q) * TwoPi;
        float z = a * a;
        float s = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(S3, z, S2), z, S1), z * a, a);
        float c = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(C3, z, C2), z, C1), z * z, MathF.FusedMultiplyAdd(-0.5f, z, 1f));
        int quadrant = (int)q & 3;
        (sin, cos) = quadrant switch { 0 => (s, c), 1 => (c, -s), 2 => (-s, -c), _ => (-c, s) };
    }

    const float SqrtHalf = 0.707106781186547524f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f, TwoPi = 6.28318530717958648f;
    const float L8 = 7.0376836292E-2f, L7 = -1.1514610310E-1f, L6 = 1.1676998740E-1f, L5 = -1.2420140846E-1f, L4 = 1.4249322787E-1f,
        L3 = -1.6668057665E-1f, L2 = 2.0000714765E-1f, L1 = -2.4999993993E-1f, L0 = 3.3333331174E-1f;
    const float S3 = -1.9515295891E-4f, S2 = 8.3321608736E-3f, S1 = -1.6666654611E-1f;
    const float C3 = 2.443315711809948E-5f, C2 = -1.388731625493765E-3f, C1 = 4.166664568298827E-2f;

    /// <summary>
    /// Fills <paramref name="destination"/> (a multiple of 64 long) with normals starting at call
    /// <paramref name="firstCall"/>: destination[64·i + j] = normal number 64·(firstCall + i) + j.
    /// </summary>
    public static void Fill(ulong seed, ulong stream, ulong firstCall, Span<float> destination)
    {
        if (destination.Length % CallSize != 0) throw new ArgumentException($"length must be a multiple of {CallSize}, got {destination.Length}");
        if (Vectorized)
        {
            unsafe
            {
                fixed (float* d = destination)
                {
                    int i = 0;
                    for (; i + 2 * CallSize <= destination.Length; i += 2 * CallSize) FillCallPair512(seed, stream, firstCall + (ulong)(i / CallSize), d + i);
                    for (; i < destination.Length; i += CallSize) FillCall512(seed, stream, firstCall + (ulong)(i / CallSize), d + i);
                }
            }
            return;
        }
        for (int i = 0; i < destination.Length; i++) destination[i] = Normal(seed, stream, firstCall * CallSize + (ulong)i);
    }

    /// <summary>One call: 64 normals into <paramref name="d"/> (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void FillCall512(ulong seed, ulong stream, ulong call, float* d)
    {
        var (x0, x1, x2, x3) = PhiloxVector.Block16(Vector512.Create((uint)call), Vector512<uint>.Indices,
            Vector512.Create((uint)stream), Vector512.Create((uint)(stream >> 32)), (uint)seed, (uint)(seed >> 32));
        BoxMuller(x0, x1, out var z0, out var z1);
        BoxMuller(x2, x3, out var z2, out var z3);
        z0.Store(d); z1.Store(d + 16); z2.Store(d + 32); z3.Store(d + 48);
    }

    /// <summary>Two consecutive calls interleaved (the Philox rounds are latency-bound; two chains fill the pipeline).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void FillCallPair512(ulong seed, ulong stream, ulong call, float* d)
    {
        var s0 = Vector512.Create((uint)stream);
        var s1 = Vector512.Create((uint)(stream >> 32));
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        var (a0, a1, a2, a3) = PhiloxVector.Block16(Vector512.Create((uint)call), Vector512<uint>.Indices, s0, s1, k0, k1);
        var (b0, b1, b2, b3) = PhiloxVector.Block16(Vector512.Create((uint)(call + 1)), Vector512<uint>.Indices, s0, s1, k0, k1);
        BoxMuller(a0, a1, out var z0, out var z1);
        BoxMuller(a2, a3, out var z2, out var z3);
        BoxMuller(b0, b1, out var z4, out var z5);
        BoxMuller(b2, b3, out var z6, out var z7);
        z0.Store(d); z1.Store(d + 16); z2.Store(d + 32); z3.Store(d + 48);
        z4.Store(d + 64); z5.Store(d + 80); z6.Store(d + 96); z7.Store(d + 112);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void BoxMuller(Vector512<uint> a, Vector512<uint> b, out Vector512<float> z0, out Vector512<float> z1)
    {
        const float inv24 = 1f / 16777216f;
        var u1 = Vector512.ConvertToSingle(((a >> 8) + Vector512<uint>.One).AsInt32()) * inv24;
        var u2 = Vector512.ConvertToSingle((b >> 8).AsInt32()) * inv24;
        var r = Vector512.Sqrt(Vector512.Create(-2f) * Log(u1));
        SinCosTwoPi(u2, out var s, out var c);
        z0 = r * c; z1 = r * s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Log(Vector512<float> u)
    {
        var bits = u.AsUInt32();
        var e = (bits >> 23).AsInt32() - Vector512.Create(126);
        var m = ((bits & Vector512.Create(0x007FFFFFu)) | Vector512.Create(0x3F000000u)).AsSingle();
        var small = Vector512.LessThan(m, Vector512.Create(SqrtHalf));
        e += small.AsInt32();                               // true lanes are −1
        var x = Vector512.ConditionalSelect(small, m + m, m) - Vector512<float>.One;
        var z = x * x;
        var y = Vector512.Create(L8);
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L7)); y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L6));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L5)); y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L4));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L3)); y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L2));
        y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L1)); y = Vector512.FusedMultiplyAdd(y, x, Vector512.Create(L0));
        y = y * x * z;
        var fe = Vector512.ConvertToSingle(e);
        y = Vector512.FusedMultiplyAdd(fe, Vector512.Create(Ln2Lo), y);
        y = Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), z, y);
        return Vector512.FusedMultiplyAdd(fe, Vector512.Create(Ln2Hi), x + y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void SinCosTwoPi(Vector512<float> u, out Vector512<float> sin, out Vector512<float> cos)
    {
        var t = u - Vector512.Round(u);
        var q = Vector512.Round(Vector512.Create(4f) * t);
        var a = (t - Vector512.Create(0.25f) * q) * Vector512.Create(TwoPi);
        var z = a * a;
        var s = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(S3), z, Vector512.Create(S2)), z, Vector512.Create(S1)), z * a, a);
        var c = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(C3), z, Vector512.Create(C2)), z, Vector512.Create(C1)), z * z,
            Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), z, Vector512<float>.One));
        var quadrant = Vector512.ConvertToInt32(q) & Vector512.Create(3);
        var swap = Vector512.Equals(quadrant & Vector512<int>.One, Vector512<int>.One).AsSingle();       // quadrants 1, 3
        var negSin = Vector512.Equals(quadrant, Vector512.Create(2)) | Vector512.Equals(quadrant, Vector512.Create(3));
        var negCos = Vector512.Equals(quadrant, Vector512.Create(1)) | Vector512.Equals(quadrant, Vector512.Create(2));
        var sn = Vector512.ConditionalSelect(swap, c, s);
        var cs = Vector512.ConditionalSelect(swap, s, c);
        var signBit = Vector512.Create(0x80000000u);
        sin = (sn.AsUInt32() ^ (negSin.AsUInt32() & signBit)).AsSingle();
        cos = (cs.AsUInt32() ^ (negCos.AsUInt32() & signBit)).AsSingle();
    }
}
