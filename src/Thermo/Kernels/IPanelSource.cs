using System.Runtime.CompilerServices;

namespace Thermo.Kernels;

/// <summary>
/// Something that can be packed as the left operand op(A)[m×k] of a GEMM: MR-row panels, each kc columns of MR
/// values, rows past the end zero. Structs, so the generic drivers are specialised per source.
/// </summary>
internal unsafe interface IPanelSourceA
{
    void PackA<K>(int i0, int mc, int p0, int kc, float* dst) where K : struct, IMicroKernel;
}

/// <summary>
/// Something that can be packed as the right operand op(B)[k×n] of a GEMM: NR-column panels, each kc rows of NR
/// values, columns past the end zero.
/// </summary>
internal unsafe interface IPanelSourceB
{
    void PackB<K>(int p0, int kc, int j0, int nc, float* dst) where K : struct, IMicroKernel;
}

/// <summary>A dense row-major matrix with row stride <c>ld</c>, used as X or Xᵀ.</summary>
internal readonly unsafe struct DenseMatrix(float* data, nint ld, bool transposed) : IPanelSourceA, IPanelSourceB
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public void PackA<K>(int i0, int mc, int p0, int kc, float* dst) where K : struct, IMicroKernel
    {
        int mr = K.MR;
        for (int ir = 0; ir < mc; ir += mr, dst += (nint)mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            // op(A)(i, p) = a[p·ld + i] (transposed: runs along i) or a[i·ld + p] (rows along p).
            if (transposed) PanelPacking.CopyRuns(data + (nint)p0 * ld + i0 + ir, ld, kc, rows, dst, mr);
            else PanelPacking.Interleave(data + (nint)(i0 + ir) * ld + p0, ld, rows, kc, dst, mr);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public void PackB<K>(int p0, int kc, int j0, int nc, float* dst) where K : struct, IMicroKernel
    {
        int nr = K.NR;
        for (int jr = 0; jr < nc; jr += nr, dst += (nint)nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!transposed) PanelPacking.CopyRuns(data + (nint)p0 * ld + j0 + jr, ld, kc, cols, dst, nr);
            else PanelPacking.Interleave(data + (nint)(j0 + jr) * ld + p0, ld, cols, kc, dst, nr);
        }
    }
}
