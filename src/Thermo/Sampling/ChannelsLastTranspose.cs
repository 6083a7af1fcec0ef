using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Sampling;

/// <summary>
/// Reorders a layer's Philox words from canonical (channel-major) to channels-last order, 16×16 blocks at a time.
/// The scalar reference is in the tests (ReferenceSpinKernels.ChannelsLast).
/// </summary>
internal static unsafe class ChannelsLastTranspose
{
    /// <summary>
    /// Reorders a layer's Philox words from canonical (channel-major, [C][H·W]) to channels-last
    /// ([H·W][Cp]) order, 16×16 blocks at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(LayerLayout lay, uint* canonical, uint* channelsLast)
    {
        int hw = lay.H * lay.W, c = lay.C, cp = lay.Cp;
        if (hw == 1) { new ReadOnlySpan<uint>(canonical, c).CopyTo(new Span<uint>(channelsLast, c)); return; }
        int c16 = Avx512F.IsSupported ? c & ~15 : 0, p16 = Avx512F.IsSupported ? hw & ~15 : 0;
        for (int c0 = 0; c0 < c16; c0 += 16)
            for (int p0 = 0; p0 < p16; p0 += 16)
                Transpose16(canonical + c0 * hw + p0, hw, channelsLast + p0 * cp + c0, cp);
        for (int ch = 0; ch < c; ch++)
        {
            int pStart = ch < c16 ? p16 : 0;
            for (int p = pStart; p < hw; p++) channelsLast[p * cp + ch] = canonical[ch * hw + p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Transpose16(uint* src, int srcStride, uint* dst, int dstStride)
    {
        // Stages 1–2: 4×4 transposes inside 128-bit lanes for each group of 4 rows; afterwards lane q of
        // g{G}k{K} holds column 4q+K of rows 4G..4G+3.
        Transpose4x4InLanes(src, srcStride, out var g0k0, out var g0k1, out var g0k2, out var g0k3);
        Transpose4x4InLanes(src + 4 * srcStride, srcStride, out var g1k0, out var g1k1, out var g1k2, out var g1k3);
        Transpose4x4InLanes(src + 8 * srcStride, srcStride, out var g2k0, out var g2k1, out var g2k2, out var g2k3);
        Transpose4x4InLanes(src + 12 * srcStride, srcStride, out var g3k0, out var g3k1, out var g3k2, out var g3k3);
        // Stages 3–4: output row 4q+k = lane q of g0k, g1k, g2k, g3k.
        StoreTransposedLanes(g0k0, g1k0, g2k0, g3k0, dst, dstStride);
        StoreTransposedLanes(g0k1, g1k1, g2k1, g3k1, dst + dstStride, dstStride);
        StoreTransposedLanes(g0k2, g1k2, g2k2, g3k2, dst + 2 * dstStride, dstStride);
        StoreTransposedLanes(g0k3, g1k3, g2k3, g3k3, dst + 3 * dstStride, dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose4x4InLanes(uint* src, int stride, out Vector512<uint> k0, out Vector512<uint> k1, out Vector512<uint> k2, out Vector512<uint> k3)
    {
        var r0 = Vector512.Load(src);
        var r1 = Vector512.Load(src + stride);
        var r2 = Vector512.Load(src + 2 * stride);
        var r3 = Vector512.Load(src + 3 * stride);
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        k0 = Avx512F.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        k1 = Avx512F.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        k2 = Avx512F.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        k3 = Avx512F.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreTransposedLanes(Vector512<uint> a0, Vector512<uint> a1, Vector512<uint> a2, Vector512<uint> a3, uint* dst, int stride)
    {
        var lo01 = Avx512F.Shuffle4x128(a0, a1, 0b01_00_01_00);
        var lo23 = Avx512F.Shuffle4x128(a2, a3, 0b01_00_01_00);
        var hi01 = Avx512F.Shuffle4x128(a0, a1, 0b11_10_11_10);
        var hi23 = Avx512F.Shuffle4x128(a2, a3, 0b11_10_11_10);
        Vector512.Store(Avx512F.Shuffle4x128(lo01, lo23, 0b10_00_10_00), dst);
        Vector512.Store(Avx512F.Shuffle4x128(lo01, lo23, 0b11_01_11_01), dst + 4 * stride);
        Vector512.Store(Avx512F.Shuffle4x128(hi01, hi23, 0b10_00_10_00), dst + 8 * stride);
        Vector512.Store(Avx512F.Shuffle4x128(hi01, hi23, 0b11_01_11_01), dst + 12 * stride);
    }
}
