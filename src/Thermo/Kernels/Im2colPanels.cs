using System.Runtime.CompilerServices;

namespace Thermo.Kernels;

/// <summary>
/// Index tables of one convolution's unfolded rows p = (c, i, j) (channel within the group, kernel row, kernel
/// column): the offset of x[c, i, j, 0] in a CHWN tensor and the kernel coordinates, for the bounds tests.
/// </summary>
internal readonly unsafe struct Im2colTables
{
    public readonly int* Offset;
    public readonly int* KernelRow;
    public readonly int* KernelCol;

    public Im2colTables(int* storage, in Conv2dGeometry g)
    {
        int rows = g.InChannels / g.Groups * g.Kernel * g.Kernel;
        Offset = storage; KernelRow = storage + rows; KernelCol = storage + 2 * rows;
        int k = g.Kernel;
        for (int p = 0; p < rows; p++)
        {
            int c = p / (k * k), i = p / k % k, j = p % k;
            Offset[p] = ((c * g.InHeight + i) * g.InWidth + j) * g.Batch;
            KernelRow[p] = i;
            KernelCol[p] = j;
        }
    }

    public static int Ints(in Conv2dGeometry g) => 3 * (g.InChannels / g.Groups) * g.Kernel * g.Kernel;
}

/// <summary>
/// B = X̂, the unfolded input (im2col) of one group, read from a CHWN tensor:
/// B(p, q) = x[c, y·s + i − pad, x·s + j − pad, n] for p = (c, i, j) and column q = (y·OW + x)·N + n (zero outside
/// the image). Columns ordered with the batch innermost make every run of a panel a contiguous copy.
/// </summary>
internal readonly unsafe struct Im2col(float* xt, Im2colTables tables, Conv2dGeometry g, int columnOffset) : IPanelSourceB
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public void PackB<K>(int p0, int kc, int j0, int nc, float* dst) where K : struct, IMicroKernel
    {
        int nr = K.NR, batch = g.Batch, ow = g.OutWidth, k = g.Kernel, h = g.InHeight, w = g.InWidth;
        for (int jr = 0; jr < nc; jr += nr, dst += (nint)nr * kc)
        {
            int count = Math.Min(nr, nc - jr), done = 0;
            while (done < count)
            {
                int q = columnOffset + j0 + jr + done;
                int s = q / batch, n = q - s * batch, y = s / ow, x = s - y * ow;
                int len = Math.Min(batch - n, count - done);
                int iy0 = y * g.Stride - g.Padding, ix0 = x * g.Stride - g.Padding;
                float* b = xt + ((nint)iy0 * w + ix0) * batch + n;
                float* d = dst + done;
                if (iy0 >= 0 && ix0 >= 0 && iy0 + k <= h && ix0 + k <= w)
                {
                    for (int pp = 0; pp < kc; pp++) PanelPacking.Copy(b + tables.Offset[p0 + pp], d + (nint)pp * nr, len);
                }
                else
                {
                    for (int pp = 0; pp < kc; pp++)
                    {
                        int p = p0 + pp;
                        if ((uint)(iy0 + tables.KernelRow[p]) < (uint)h && (uint)(ix0 + tables.KernelCol[p]) < (uint)w)
                            PanelPacking.Copy(b + tables.Offset[p], d + (nint)pp * nr, len);
                        else PanelPacking.Zero(d + (nint)pp * nr, len);
                    }
                }
                done += len;
            }
            if (count < nr)
                for (int pp = 0; pp < kc; pp++) PanelPacking.Zero(dst + (nint)pp * nr + count, nr - count);
        }
    }
}

/// <summary>
/// B = X̂ᵀ (columns of the unfolded input as rows), for the weight gradient dW = dY · X̂ᵀ:
/// B(q, p) = X̂(p, q) with the layout of <see cref="Im2col"/>; p is offset by <paramref name="rowOffset"/>.
/// </summary>
internal readonly unsafe struct Im2colTransposed(float* xt, Im2colTables tables, Conv2dGeometry g, int rowOffset) : IPanelSourceB
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public void PackB<K>(int p0, int kc, int j0, int nc, float* dst) where K : struct, IMicroKernel
    {
        int nr = K.NR, batch = g.Batch, ow = g.OutWidth, h = g.InHeight, w = g.InWidth;
        float** rows = stackalloc float*[nr];
        for (int jr = 0; jr < nc; jr += nr, dst += (nint)nr * kc)
        {
            int count = Math.Min(nr, nc - jr), first = rowOffset + j0 + jr;
            for (int pp = 0; pp < kc;)
            {
                int q = p0 + pp;
                int s = q / batch, n = q - s * batch, y = s / ow, x = s - y * ow;
                int len = Math.Min(batch - n, kc - pp);
                int iy0 = y * g.Stride - g.Padding, ix0 = x * g.Stride - g.Padding;
                float* b = xt + ((nint)iy0 * w + ix0) * batch + n;
                for (int t = 0; t < count; t++)
                {
                    int p = first + t;
                    bool inside = (uint)(iy0 + tables.KernelRow[p]) < (uint)h && (uint)(ix0 + tables.KernelCol[p]) < (uint)w;
                    rows[t] = inside ? b + tables.Offset[p] : null;
                }
                PanelPacking.InterleaveRows(rows, count, len, dst + (nint)pp * nr, nr);
                pp += len;
            }
        }
    }
}
