using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Kernels;

/// <summary>Copy and transpose primitives used to pack GEMM panels and to change tensor layouts.</summary>
internal static unsafe class PanelPacking
{
    /// <summary>dst[p·width + r] = src[p·ld + r] for r &lt; count, zero up to width (a panel from contiguous runs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyRuns(float* src, nint ld, int runs, int count, float* dst, int width)
    {
        if (count == width)
        {
            for (int p = 0; p < runs; p++) Copy(src + p * ld, dst + (nint)p * width, width);
            return;
        }
        for (int p = 0; p < runs; p++)
        {
            float* d = dst + (nint)p * width;
            Copy(src + p * ld, d, count);
            Zero(d + count, width - count);
        }
    }

    /// <summary>
    /// dst[p·width + r] = src[r·ld + p] for r &lt; count, zero up to width: a panel from <paramref name="count"/>
    /// rows read along p (a transpose, done in 8×8 blocks where the hardware allows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Interleave(float* src, nint ld, int count, int length, float* dst, int width)
    {
        int p = 0;
        if (Avx.IsSupported && count == width && width % 8 == 0)
        {
            for (; p + 8 <= length; p += 8)
                for (int r = 0; r < width; r += 8)
                    Transpose8x8(src + r * ld + p, ld, dst + (nint)p * width + r, width);
        }
        for (; p < length; p++)
        {
            float* d = dst + (nint)p * width;
            int r = 0;
            for (; r < count; r++) d[r] = src[r * ld + p];
            for (; r < width; r++) d[r] = 0;
        }
    }

    /// <summary>
    /// dst[p·width + r] = rows[r][p] for p &lt; length and r &lt; width, where a null row (or r ≥ count) reads as zeros:
    /// a transposing pack from rows at arbitrary addresses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InterleaveRows(float** rows, int count, int length, float* dst, int width)
    {
        int r = 0;
        if (Avx.IsSupported)
        {
            for (; r + 8 <= count; r += 8)
            {
                bool full = true;
                for (int t = 0; t < 8; t++) full &= rows[r + t] != null;
                if (!full) break;
                int p = 0;
                for (; p + 8 <= length; p += 8) Transpose8x8(rows + r, p, dst + (nint)p * width + r, width);
                for (; p < length; p++)
                    for (int t = 0; t < 8; t++) dst[(nint)p * width + r + t] = rows[r + t][p];
            }
        }
        for (; r < width; r++)
        {
            float* row = r < count ? rows[r] : null;
            float* d = dst + r;
            if (row == null) for (int p = 0; p < length; p++) d[(nint)p * width] = 0;
            else for (int p = 0; p < length; p++) d[(nint)p * width] = row[p];
        }
    }

    /// <summary>Copies <paramref name="count"/> floats (short runs without a call into memmove).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, float* dst, int count)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            if (count == 32)
            {
                Vector512.Store(Vector512.Load(src), dst);
                Vector512.Store(Vector512.Load(src + 16), dst + 16);
                return;
            }
            if (count == 16) { Vector512.Store(Vector512.Load(src), dst); return; }
        }
        if (count == 8 && Vector256.IsHardwareAccelerated) { Vector256.Store(Vector256.Load(src), dst); return; }
        Unsafe.CopyBlockUnaligned(dst, src, (uint)count * sizeof(float));
    }

    /// <summary>dst[i] += src[i] for i &lt; count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(float* dst, float* src, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(dst + i) + Vector512.Load(src + i), dst + i);
        for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] += src[i];
    }

    /// <summary>Zeroes <paramref name="count"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(float* dst, int count)
    {
        if (count > 0) Unsafe.InitBlockUnaligned(dst, 0, (uint)count * sizeof(float));
    }

    /// <summary>
    /// dst[c·rows + r] = src[r·cols + c] (+ rowAdd[r] when given): the transpose of a rows×cols matrix, e.g. NCHW
    /// ([N, CHW]) to CHWN and back. Threads split the source columns.
    /// </summary>
    public static void Transpose(float* src, int rows, int cols, float* dst, float* rowAdd = null)
    {
        nint s = (nint)src, d = (nint)dst, add = (nint)rowAdd;
        // Tall matrices (CHWN back to NCHW) write few destination rows per tile: their stride, rows·4 bytes, is often a
        // power of two, and 64 rows at such a stride alias in the same cache sets (measured 4.6 GB/s on 65536×128
        // with 64×64 tiles, see docs/kernels.md).
        int tile = rows >= TallRows ? TallTileColumns : TransposeTile;
        if ((long)rows * cols < 1 << 15) TransposeColumns(src, rows, cols, dst, rowAdd, 0, cols);
        else KernelParallel.For((cols + tile - 1) / tile, KernelParallel.Pieces(4), (b0, b1) =>
            TransposeColumns((float*)s, rows, cols, (float*)d, (float*)add, b0 * tile, Math.Min(cols, b1 * tile)));
    }

    /// <summary>Side of the square tiles the transpose walks, so that source and destination tiles stay in L1.</summary>
    const int TransposeTile = 64;

    /// <summary>From this many rows a transpose walks tiles of <see cref="TallTileColumns"/> columns × <see cref="TallTileRows"/> rows.</summary>
    const int TallRows = 2048, TallTileColumns = 16, TallTileRows = 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TransposeColumns(float* src, int rows, int cols, float* dst, float* rowAdd, int c0, int c1)
    {
        bool tall = rows >= TallRows;
        int tileCols = tall ? TallTileColumns : TransposeTile, tileRows = tall ? TallTileRows : TransposeTile;
        for (int ct = c0; ct < c1; ct += tileCols)
        {
            int cEnd = Math.Min(c1, ct + tileCols);
            for (int rt = 0; rt < rows; rt += tileRows)
            {
                int rEnd = Math.Min(rows, rt + tileRows), r = rt;
                if (Avx.IsSupported)
                {
                    if (tall)
                    {
                        // Eight destination rows at a time, each written as one run of the tile's rows.
                        int c = ct;
                        for (; c + 8 <= cEnd; c += 8)
                            for (r = rt; r + 8 <= rEnd; r += 8) Block8x8(src, rows, cols, dst, rowAdd, r, c);
                        int rFull = rt + (rEnd - rt) / 8 * 8;
                        for (; c < cEnd; c++)
                            for (int q = rt; q < rFull; q++)
                                dst[(nint)c * rows + q] = src[(nint)q * cols + c] + (rowAdd == null ? 0 : rowAdd[q]);
                        r = rFull;
                    }
                    else
                    {
                        for (; r + 8 <= rEnd; r += 8)
                        {
                            int c = ct;
                            for (; c + 8 <= cEnd; c += 8) Block8x8(src, rows, cols, dst, rowAdd, r, c);
                            for (; c < cEnd; c++)
                                for (int t = 0; t < 8; t++)
                                    dst[(nint)c * rows + r + t] = src[(nint)(r + t) * cols + c] + (rowAdd == null ? 0 : rowAdd[r + t]);
                        }
                    }
                }
                for (; r < rEnd; r++)
                    for (int c = ct; c < cEnd; c++)
                        dst[(nint)c * rows + r] = src[(nint)r * cols + c] + (rowAdd == null ? 0 : rowAdd[r]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Block8x8(float* src, int rows, int cols, float* dst, float* rowAdd, int r, int c)
    {
        float* d = dst + (nint)c * rows + r;
        Transpose8x8(src + (nint)r * cols + c, cols, d, rows);
        if (rowAdd != null)
        {
            var add = Avx.LoadVector256(rowAdd + r);
            for (int t = 0; t < 8; t++) Avx.Store(d + (nint)t * rows, Avx.Add(Avx.LoadVector256(d + (nint)t * rows), add));
        }
    }

    /// <summary>Writes the transpose of the 8×8 block at src (row stride ls) to dst (row stride ld).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* src, nint ls, float* dst, nint ld) =>
        Transpose8x8(Avx.LoadVector256(src), Avx.LoadVector256(src + ls), Avx.LoadVector256(src + 2 * ls), Avx.LoadVector256(src + 3 * ls),
            Avx.LoadVector256(src + 4 * ls), Avx.LoadVector256(src + 5 * ls), Avx.LoadVector256(src + 6 * ls), Avx.LoadVector256(src + 7 * ls), dst, ld);

    /// <summary>Writes the transpose of the 8×8 block rows[t][p .. p+8] to dst (row stride ld).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(float** rows, int p, float* dst, nint ld) =>
        Transpose8x8(Avx.LoadVector256(rows[0] + p), Avx.LoadVector256(rows[1] + p), Avx.LoadVector256(rows[2] + p), Avx.LoadVector256(rows[3] + p),
            Avx.LoadVector256(rows[4] + p), Avx.LoadVector256(rows[5] + p), Avx.LoadVector256(rows[6] + p), Avx.LoadVector256(rows[7] + p), dst, ld);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, nint ld)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ld, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ld, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ld, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ld, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ld, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ld, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ld, Avx.Permute2x128(s3, s7, 0x31));
    }
}
