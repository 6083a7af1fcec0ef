using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Randomness;

/// <summary>
/// <see cref="Philox"/> (Philox4x32-10) for 16 counters at once in <see cref="Vector512{T}"/> lanes: lane l
/// computes the block at counter (c0 + l, c1, c2, c3). Bit-identical to the scalar generator; falls back
/// to it when AVX-512 is absent.
/// </summary>
public static class PhiloxVector
{
    const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Whether the 16-lane path runs in hardware (otherwise every call uses scalar Philox).</summary>
    public static bool IsAccelerated => Avx512F.IsSupported;

    /// <summary>
    /// Sixteen Philox4x32-10 blocks: lane l of the result holds the four words of the block with counter
    /// (c0[l], c1[l], c2[l], c3[l]) and key (k0, k1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<uint> X0, Vector512<uint> X1, Vector512<uint> X2, Vector512<uint> X3) Block16(
        Vector512<uint> c0, Vector512<uint> c1, Vector512<uint> c2, Vector512<uint> c3, uint k0, uint k1)
    {
        var m0 = Vector512.Create((ulong)M0).AsUInt32();
        var m1 = Vector512.Create((ulong)M1).AsUInt32();
        var odd = Vector512.Create(0xFFFFFFFF_00000000UL).AsUInt32();
        for (int round = 0; round < 10; round++)
        {
            // 32×32→64 products: even lanes directly, odd lanes after a 64-bit shift; the high words of
            // the even products sit in odd positions and are shifted down, the odd ones are already there.
            var p0e = Avx512F.Multiply(c0, m0);
            var p0o = Avx512F.Multiply(Avx512F.ShiftRightLogical(c0.AsUInt64(), 32).AsUInt32(), m0);
            var p1e = Avx512F.Multiply(c2, m1);
            var p1o = Avx512F.Multiply(Avx512F.ShiftRightLogical(c2.AsUInt64(), 32).AsUInt32(), m1);
            var hi0 = Vector512.ConditionalSelect(odd, p0o.AsUInt32(), Avx512F.ShiftRightLogical(p0e, 32).AsUInt32());
            var hi1 = Vector512.ConditionalSelect(odd, p1o.AsUInt32(), Avx512F.ShiftRightLogical(p1e, 32).AsUInt32());
            var lo0 = c0 * Vector512.Create(M0);   // low words: a 32-bit multiply is cheaper than regrouping the products
            var lo1 = c2 * Vector512.Create(M1);
            c0 = hi1 ^ c1 ^ Vector512.Create(k0);
            c1 = lo1;
            c2 = hi0 ^ c3 ^ Vector512.Create(k1);
            c3 = lo0;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>
    /// Fills <paramref name="destination"/>[i] with word ((first + i) mod 4) of block (first + i)/4 of
    /// (seed, stream): the 32-bit word <see cref="Philox.Uniform"/> turns into the uniform at index first + i.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillWords(ulong seed, ulong stream, ulong first, Span<uint> destination)
    {
        int i = 0, n = destination.Length;
        // Head: per-element until the index is block-aligned.
        for (; i < n && ((first + (ulong)i) & 3) != 0; i++) destination[i] = Word(seed, stream, first + (ulong)i);
        if (Avx512F.IsSupported && n - i >= 64)
        {
            ulong block = (first + (ulong)i) >> 2;
            uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
            var s0 = Vector512.Create((uint)stream);
            var s1 = Vector512.Create((uint)(stream >> 32));
            var lanes = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            ref uint dst = ref MemoryMarshal.GetReference(destination);
            for (; i + 64 <= n; i += 64, block += 16)
            {
                // The 16 counters may straddle a 2^32 boundary of the low word; carry into c1 per lane.
                var lo = Vector512.Create((uint)block) + lanes;
                var hi = Vector512.Create((uint)(block >> 32)) - Vector512.LessThan(lo, Vector512.Create((uint)block));
                var (x0, x1, x2, x3) = Block16(lo, hi, s0, s1, k0, k1);
                Interleave(x0, x1, x2, x3, ref Unsafe.Add(ref dst, i));
            }
        }
        for (; i + 4 <= n; i += 4)
        {
            var (a, b, c, d) = Philox.Block(seed, stream, (first + (ulong)i) >> 2);
            destination[i] = a; destination[i + 1] = b; destination[i + 2] = c; destination[i + 3] = d;
        }
        for (; i < n; i++) destination[i] = Word(seed, stream, first + (ulong)i);
    }

    /// <summary>
    /// The normals of <see cref="Philox.FillNormal"/> for the longest prefix of <paramref name="destination"/> that is
    /// whole groups of 64 (16 blocks); returns its length. <paramref name="first"/> must be a multiple of 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int FillNormal(ulong seed, ulong stream, ulong first, Span<float> destination)
    {
        int i = 0, n = destination.Length;
        if (!Avx512F.IsSupported || (first & 3) != 0) return 0;
        ulong block = first >> 2;
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        var s0 = Vector512.Create((uint)stream);
        var s1 = Vector512.Create((uint)(stream >> 32));
        var lanes = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        ref uint dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        for (; i + 64 <= n; i += 64, block += 16)
        {
            var lo = Vector512.Create((uint)block) + lanes;
            var hi = Vector512.Create((uint)(block >> 32)) - Vector512.LessThan(lo, Vector512.Create((uint)block));
            var (x0, x1, x2, x3) = Block16(lo, hi, s0, s1, k0, k1);
            // Words (x0, x1) of block l give elements 4l, 4l + 1 and (x2, x3) give 4l + 2, 4l + 3: the order of FillWords.
            BoxMuller.Pair(x0, x1, out var z0, out var z1);
            BoxMuller.Pair(x2, x3, out var z2, out var z3);
            Interleave(z0.AsUInt32(), z1.AsUInt32(), z2.AsUInt32(), z3.AsUInt32(), ref Unsafe.Add(ref dst, i));
        }
        return i;
    }

    /// <summary>The 32-bit word behind <see cref="Philox.Uniform"/> at <paramref name="index"/>.</summary>
    public static uint Word(ulong seed, ulong stream, ulong index)
    {
        var (a, b, c, d) = Philox.Block(seed, stream, index >> 2);
        return (index & 3) switch { 0 => a, 1 => b, 2 => c, _ => d };
    }

    /// <summary>Stores 16 blocks as 64 consecutive words: block l's words at positions 4l..4l+3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Interleave(Vector512<uint> x0, Vector512<uint> x1, Vector512<uint> x2, Vector512<uint> x3, ref uint dst)
    {
        // 4×4 transposes inside each 128-bit lane, then a 4×4 transpose of 128-bit lanes.
        var t0 = Avx512F.UnpackLow(x0, x1);   // a0 b0 a1 b1 | ...
        var t1 = Avx512F.UnpackHigh(x0, x1);  // a2 b2 a3 b3
        var t2 = Avx512F.UnpackLow(x2, x3);   // c0 d0 c1 d1
        var t3 = Avx512F.UnpackHigh(x2, x3);  // c2 d2 c3 d3
        var u0 = Avx512F.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();   // a0 b0 c0 d0 (block 0 of each 128-bit lane)
        var u1 = Avx512F.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();  // block 1
        var u2 = Avx512F.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();   // block 2
        var u3 = Avx512F.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();  // block 3
        // u_k lane q (128-bit) holds block 4q + k. Output vector q must hold blocks 4q..4q+3 = u0..u3 lane q.
        var v01lo = Avx512F.Shuffle4x128(u0, u1, 0b01_00_01_00); // u0.q0 u0.q1 u1.q0 u1.q1
        var v23lo = Avx512F.Shuffle4x128(u2, u3, 0b01_00_01_00); // u2.q0 u2.q1 u3.q0 u3.q1
        var v01hi = Avx512F.Shuffle4x128(u0, u1, 0b11_10_11_10); // u0.q2 u0.q3 u1.q2 u1.q3
        var v23hi = Avx512F.Shuffle4x128(u2, u3, 0b11_10_11_10);
        var o0 = Avx512F.Shuffle4x128(v01lo, v23lo, 0b10_00_10_00); // u0.q0 u1.q0 u2.q0 u3.q0
        var o1 = Avx512F.Shuffle4x128(v01lo, v23lo, 0b11_01_11_01); // q1
        var o2 = Avx512F.Shuffle4x128(v01hi, v23hi, 0b10_00_10_00); // q2
        var o3 = Avx512F.Shuffle4x128(v01hi, v23hi, 0b11_01_11_01); // q3
        o0.StoreUnsafe(ref dst);
        o1.StoreUnsafe(ref Unsafe.Add(ref dst, 16));
        o2.StoreUnsafe(ref Unsafe.Add(ref dst, 32));
        o3.StoreUnsafe(ref Unsafe.Add(ref dst, 48));
    }
}
