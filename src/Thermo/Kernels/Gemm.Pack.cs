using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>
    /// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row panels: panel r holds kc columns of MR values
    /// (rows past mc are zero).
    /// </summary>
    internal static void PackA<K>(bool ta, float* a, nint lda, int i0, int mc, int p0, int kc, float* dst)
        where K : struct, IMicroKernel
    {
        int mr = K.MR;
        for (int ir = 0; ir < mc; ir += mr, dst += (nint)mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            if (ta) CopyRuns(a + (nint)p0 * lda + i0 + ir, lda, kc, rows, dst, mr);
            else Interleave(a + (nint)(i0 + ir) * lda + p0, lda, rows, kc, dst, mr);
        }
    }

    /// <summary>
    /// Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels: panel j holds kc rows of NR values
    /// (columns past nc are zero).
    /// </summary>
    internal static void PackB<K>(bool tb, float* b, nint ldb, int p0, int kc, int j0, int nc, float* dst)
        where K : struct, IMicroKernel
    {
        int nr = K.NR;
        for (int jr = 0; jr < nc; jr += nr, dst += (nint)nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!tb) CopyRuns(b + (nint)p0 * ldb + j0 + jr, ldb, kc, cols, dst, nr);
            else Interleave(b + (nint)(j0 + jr) * ldb + p0, ldb, cols, kc, dst, nr);
        }
    }

    /// <summary>dst[p·width + r] = src[p·ld + r] for r &lt; count, zero up to width (a panel from contiguous runs).</summary>
    internal static void CopyRuns(float* src, nint ld, int runs, int count, float* dst, int width)
    {
        if (count == width)
        {
            uint bytes = (uint)(width * sizeof(float));
            for (int p = 0; p < runs; p++) Unsafe.CopyBlockUnaligned(dst + (nint)p * width, src + p * ld, bytes);
            return;
        }
        for (int p = 0; p < runs; p++)
        {
            float* d = dst + (nint)p * width;
            float* s = src + p * ld;
            int r = 0;
            for (; r < count; r++) d[r] = s[r];
            for (; r < width; r++) d[r] = 0;
        }
    }

    /// <summary>
    /// dst[p·width + r] = src[r·ld + p] for r &lt; count, zero up to width: a panel from <paramref name="count"/>
    /// rows read along p (a transpose, done in 8×8 blocks where the hardware allows).
    /// </summary>
    internal static void Interleave(float* src, nint ld, int count, int length, float* dst, int width)
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

    /// <summary>Writes the transpose of the 8×8 block at src (row stride ls) to dst (row stride ld).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(float* src, nint ls, float* dst, nint ld)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + ls);
        var r2 = Avx.LoadVector256(src + 2 * ls); var r3 = Avx.LoadVector256(src + 3 * ls);
        var r4 = Avx.LoadVector256(src + 4 * ls); var r5 = Avx.LoadVector256(src + 5 * ls);
        var r6 = Avx.LoadVector256(src + 6 * ls); var r7 = Avx.LoadVector256(src + 7 * ls);
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
