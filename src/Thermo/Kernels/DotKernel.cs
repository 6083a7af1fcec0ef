using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Kernels;

/// <summary>
/// Register-blocked dot products for products whose operands are both contiguous along the summation index
/// (C = A·Bᵀ with row-major A and B), sums Σ_t a_r[t]·b_c[t] held as 16-lane partial sums in zmm accumulators and
/// reduced once per call. <see cref="Tile4x4"/> reads both sides in place (thin products, where packing costs about
/// what it saves); <see cref="Tile3x8"/> reads three rows in place against a packed 8-row panel that stays in L1
/// (the weight gradient of a convolution, where the panel is gathered from the unfolded input).
/// </summary>
internal static unsafe class DotKernel
{
    /// <summary>Whether the processor runs the kernel (AVX-512F).</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>
    /// sums[4r + c] += Σ_run Σ_{t &lt; len} a[r][run·len + t] · bRuns[4·run + c][t] for r, c &lt; 4: the A rows are
    /// contiguous across runs, each run of B has its own row pointers (rows may repeat; use a zero row for padding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4x4(float** a, float** bRuns, int runs, int len, float* sums)
    {
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        float* a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        int full = len & ~15, tail = len - full;
        var tailMask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(tail)).AsSingle();
        for (int run = 0; run < runs; run++)
        {
            float* b0 = bRuns[4 * run], b1 = bRuns[4 * run + 1], b2 = bRuns[4 * run + 2], b3 = bRuns[4 * run + 3];
            nint off = (nint)run * len;
            float* p0 = a0 + off, p1 = a1 + off, p2 = a2 + off, p3 = a3 + off;
            for (int t = 0; t <= len - 16; t += 16)
            {
                var x0 = Vector512.Load(p0 + t); var x1 = Vector512.Load(p1 + t); var x2 = Vector512.Load(p2 + t); var x3 = Vector512.Load(p3 + t);
                var y = Vector512.Load(b0 + t);
                s00 = Avx512F.FusedMultiplyAdd(x0, y, s00); s10 = Avx512F.FusedMultiplyAdd(x1, y, s10);
                s20 = Avx512F.FusedMultiplyAdd(x2, y, s20); s30 = Avx512F.FusedMultiplyAdd(x3, y, s30);
                y = Vector512.Load(b1 + t);
                s01 = Avx512F.FusedMultiplyAdd(x0, y, s01); s11 = Avx512F.FusedMultiplyAdd(x1, y, s11);
                s21 = Avx512F.FusedMultiplyAdd(x2, y, s21); s31 = Avx512F.FusedMultiplyAdd(x3, y, s31);
                y = Vector512.Load(b2 + t);
                s02 = Avx512F.FusedMultiplyAdd(x0, y, s02); s12 = Avx512F.FusedMultiplyAdd(x1, y, s12);
                s22 = Avx512F.FusedMultiplyAdd(x2, y, s22); s32 = Avx512F.FusedMultiplyAdd(x3, y, s32);
                y = Vector512.Load(b3 + t);
                s03 = Avx512F.FusedMultiplyAdd(x0, y, s03); s13 = Avx512F.FusedMultiplyAdd(x1, y, s13);
                s23 = Avx512F.FusedMultiplyAdd(x2, y, s23); s33 = Avx512F.FusedMultiplyAdd(x3, y, s33);
            }
            if (tail != 0)
            {
                // Masked loads read nothing past the end of a row.
                var z = Vector512<float>.Zero;
                var x0 = Avx512F.MaskLoad(p0 + full, tailMask, z); var x1 = Avx512F.MaskLoad(p1 + full, tailMask, z);
                var x2 = Avx512F.MaskLoad(p2 + full, tailMask, z); var x3 = Avx512F.MaskLoad(p3 + full, tailMask, z);
                var y = Avx512F.MaskLoad(b0 + full, tailMask, z);
                s00 = Avx512F.FusedMultiplyAdd(x0, y, s00); s10 = Avx512F.FusedMultiplyAdd(x1, y, s10);
                s20 = Avx512F.FusedMultiplyAdd(x2, y, s20); s30 = Avx512F.FusedMultiplyAdd(x3, y, s30);
                y = Avx512F.MaskLoad(b1 + full, tailMask, z);
                s01 = Avx512F.FusedMultiplyAdd(x0, y, s01); s11 = Avx512F.FusedMultiplyAdd(x1, y, s11);
                s21 = Avx512F.FusedMultiplyAdd(x2, y, s21); s31 = Avx512F.FusedMultiplyAdd(x3, y, s31);
                y = Avx512F.MaskLoad(b2 + full, tailMask, z);
                s02 = Avx512F.FusedMultiplyAdd(x0, y, s02); s12 = Avx512F.FusedMultiplyAdd(x1, y, s12);
                s22 = Avx512F.FusedMultiplyAdd(x2, y, s22); s32 = Avx512F.FusedMultiplyAdd(x3, y, s32);
                y = Avx512F.MaskLoad(b3 + full, tailMask, z);
                s03 = Avx512F.FusedMultiplyAdd(x0, y, s03); s13 = Avx512F.FusedMultiplyAdd(x1, y, s13);
                s23 = Avx512F.FusedMultiplyAdd(x2, y, s23); s33 = Avx512F.FusedMultiplyAdd(x3, y, s33);
            }
        }
        Vector256.Store(Vector256.Load(sums) + Reduce8(s00, s01, s02, s03, s10, s11, s12, s13), sums);
        Vector256.Store(Vector256.Load(sums + 8) + Reduce8(s20, s21, s22, s23, s30, s31, s32, s33), sums + 8);
    }

    /// <summary>Rows of A (read in place) and of the packed panel in a <see cref="Tile3x8"/> tile.</summary>
    public const int PanelRowsA = 3, PanelRowsB = 8;

    /// <summary>Floats of a <see cref="Tile3x8"/> panel row per 16-float slice of the summation index.</summary>
    const int SliceStride = PanelRowsB * 16;

    /// <summary>
    /// c[r·ldc + j] += Σ_{t &lt; length} a_r[t] · B[j, t] for r &lt; 3, j &lt; 8, where a0, a1, a2 are rows read in place
    /// (they may repeat; the last partial slice is read masked) and B is a packed panel: B[j, t] at
    /// panel[(t / 16)·128 + 16j + t % 16], zero up to whole slices (see <see cref="PackPanelRow"/>).
    /// </summary>
    /// <remarks>
    /// 24 zmm accumulators; each 16-column step loads 3 + 8 vectors for 24 FMAs (the 4×4 tile: 8 for 16). The sums
    /// of each row are reduced in the same order as <see cref="Tile4x4"/> and added to c as one 8-wide vector.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile3x8(float* a0, float* a1, float* a2, float* panel, int length, float* c, nint ldc)
    {
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s04 = default, s05 = default, s06 = default, s07 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default, s16 = default, s17 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s24 = default, s25 = default, s26 = default, s27 = default;
        int full = length & ~15;
        float* b = panel;
        Vector512<float> x0, x1, x2, y;
        for (int t = 0; t < full; t += 16, b += SliceStride)
        {
            x0 = Vector512.Load(a0 + t); x1 = Vector512.Load(a1 + t); x2 = Vector512.Load(a2 + t);
            y = Vector512.Load(b); s00 = Avx512F.FusedMultiplyAdd(x0, y, s00); s10 = Avx512F.FusedMultiplyAdd(x1, y, s10); s20 = Avx512F.FusedMultiplyAdd(x2, y, s20);
            y = Vector512.Load(b + 16); s01 = Avx512F.FusedMultiplyAdd(x0, y, s01); s11 = Avx512F.FusedMultiplyAdd(x1, y, s11); s21 = Avx512F.FusedMultiplyAdd(x2, y, s21);
            y = Vector512.Load(b + 32); s02 = Avx512F.FusedMultiplyAdd(x0, y, s02); s12 = Avx512F.FusedMultiplyAdd(x1, y, s12); s22 = Avx512F.FusedMultiplyAdd(x2, y, s22);
            y = Vector512.Load(b + 48); s03 = Avx512F.FusedMultiplyAdd(x0, y, s03); s13 = Avx512F.FusedMultiplyAdd(x1, y, s13); s23 = Avx512F.FusedMultiplyAdd(x2, y, s23);
            y = Vector512.Load(b + 64); s04 = Avx512F.FusedMultiplyAdd(x0, y, s04); s14 = Avx512F.FusedMultiplyAdd(x1, y, s14); s24 = Avx512F.FusedMultiplyAdd(x2, y, s24);
            y = Vector512.Load(b + 80); s05 = Avx512F.FusedMultiplyAdd(x0, y, s05); s15 = Avx512F.FusedMultiplyAdd(x1, y, s15); s25 = Avx512F.FusedMultiplyAdd(x2, y, s25);
            y = Vector512.Load(b + 96); s06 = Avx512F.FusedMultiplyAdd(x0, y, s06); s16 = Avx512F.FusedMultiplyAdd(x1, y, s16); s26 = Avx512F.FusedMultiplyAdd(x2, y, s26);
            y = Vector512.Load(b + 112); s07 = Avx512F.FusedMultiplyAdd(x0, y, s07); s17 = Avx512F.FusedMultiplyAdd(x1, y, s17); s27 = Avx512F.FusedMultiplyAdd(x2, y, s27);
        }
        if (full < length)
        {
            // Masked loads read nothing past the end of a row; the panel is zero there.
            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(length - full)).AsSingle();
            var z = Vector512<float>.Zero;
            x0 = Avx512F.MaskLoad(a0 + full, mask, z); x1 = Avx512F.MaskLoad(a1 + full, mask, z); x2 = Avx512F.MaskLoad(a2 + full, mask, z);
            y = Vector512.Load(b); s00 = Avx512F.FusedMultiplyAdd(x0, y, s00); s10 = Avx512F.FusedMultiplyAdd(x1, y, s10); s20 = Avx512F.FusedMultiplyAdd(x2, y, s20);
            y = Vector512.Load(b + 16); s01 = Avx512F.FusedMultiplyAdd(x0, y, s01); s11 = Avx512F.FusedMultiplyAdd(x1, y, s11); s21 = Avx512F.FusedMultiplyAdd(x2, y, s21);
            y = Vector512.Load(b + 32); s02 = Avx512F.FusedMultiplyAdd(x0, y, s02); s12 = Avx512F.FusedMultiplyAdd(x1, y, s12); s22 = Avx512F.FusedMultiplyAdd(x2, y, s22);
            y = Vector512.Load(b + 48); s03 = Avx512F.FusedMultiplyAdd(x0, y, s03); s13 = Avx512F.FusedMultiplyAdd(x1, y, s13); s23 = Avx512F.FusedMultiplyAdd(x2, y, s23);
            y = Vector512.Load(b + 64); s04 = Avx512F.FusedMultiplyAdd(x0, y, s04); s14 = Avx512F.FusedMultiplyAdd(x1, y, s14); s24 = Avx512F.FusedMultiplyAdd(x2, y, s24);
            y = Vector512.Load(b + 80); s05 = Avx512F.FusedMultiplyAdd(x0, y, s05); s15 = Avx512F.FusedMultiplyAdd(x1, y, s15); s25 = Avx512F.FusedMultiplyAdd(x2, y, s25);
            y = Vector512.Load(b + 96); s06 = Avx512F.FusedMultiplyAdd(x0, y, s06); s16 = Avx512F.FusedMultiplyAdd(x1, y, s16); s26 = Avx512F.FusedMultiplyAdd(x2, y, s26);
            y = Vector512.Load(b + 112); s07 = Avx512F.FusedMultiplyAdd(x0, y, s07); s17 = Avx512F.FusedMultiplyAdd(x1, y, s17); s27 = Avx512F.FusedMultiplyAdd(x2, y, s27);
        }
        Vector256.Store(Vector256.Load(c) + Reduce8(s00, s01, s02, s03, s04, s05, s06, s07), c);
        Vector256.Store(Vector256.Load(c + ldc) + Reduce8(s10, s11, s12, s13, s14, s15, s16, s17), c + ldc);
        Vector256.Store(Vector256.Load(c + 2 * ldc) + Reduce8(s20, s21, s22, s23, s24, s25, s26, s27), c + 2 * ldc);
    }

    /// <summary>
    /// Writes B[j, t0 + i] = src[i] for i &lt; count into a <see cref="Tile3x8"/> panel (zeros when src is null); the
    /// rest of the panel is left as it is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PackPanelRow(float* src, int t0, int count, float* panel, int j)
    {
        float* row = panel + 16 * j;
        if (((t0 | count) & 15) == 0)
        {
            float* d = row + (nint)(t0 >> 4) * SliceStride;
            if (src == null) for (int i = 0; i < count; i += 16, d += SliceStride) Vector512.Store(Vector512<float>.Zero, d);
            else for (int i = 0; i < count; i += 16, d += SliceStride) Vector512.Store(Vector512.Load(src + i), d);
            return;
        }
        // Slices cut by the ends of the run: masked lanes are neither read (no fault past either end) nor written.
        int end = t0 + count;
        for (int k = t0 >> 4; 16 * k < end; k++)
        {
            var t = Vector512<int>.Indices + Vector512.Create(16 * k);
            var mask = (Vector512.GreaterThanOrEqual(t, Vector512.Create(t0)) & Vector512.LessThan(t, Vector512.Create(end))).AsSingle();
            var v = src == null ? Vector512<float>.Zero : Avx512F.MaskLoad(src + (16 * k - t0), mask, Vector512<float>.Zero);
            Avx512F.MaskStore(row + (nint)k * SliceStride, mask, v);
        }
    }

    /// <summary>The eight horizontal sums of eight vectors, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Reduce8(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
        Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7)
    {
        var h0 = Half(v0); var h1 = Half(v1); var h2 = Half(v2); var h3 = Half(v3);
        var h4 = Half(v4); var h5 = Half(v5); var h6 = Half(v6); var h7 = Half(v7);
        var t0 = Avx.HorizontalAdd(h0, h1); var t1 = Avx.HorizontalAdd(h2, h3);
        var t2 = Avx.HorizontalAdd(h4, h5); var t3 = Avx.HorizontalAdd(h6, h7);
        var u0 = Avx.HorizontalAdd(t0, t1); var u1 = Avx.HorizontalAdd(t2, t3);
        // u0 = [v0 v1 v2 v3 (low halves) | v0 v1 v2 v3 (high halves)], likewise u1 for v4..v7.
        return Avx.Permute2x128(u0, u1, 0x20) + Avx.Permute2x128(u0, u1, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Half(Vector512<float> v) => v.GetLower() + v.GetUpper();
}
