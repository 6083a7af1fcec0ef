using ILGPU;

namespace Thermo.Devices;

/// <summary>
/// The tiled GEMM of device training: C = α·A·B (+ C). A thread block of 16 × 16 threads computes a 64 × 64 tile of C,
/// each thread a 4 × 4 patch in registers; A and B pass through shared memory 16 values of k at a time (on a GPU). Operands are
/// fetched through <see cref="GemmArgs"/> modes, so a convolution is an implicit GEMM: forward M = O, N = images·OH·OW,
/// K = C·k²; data gradient M = C, N = images·H·W, K = O·k²; weight gradient M = O, N = C·k², K = images·OH·OW.
/// Sums run over k in tile order with one float accumulator per element (not the CPU kernels' order).
/// </summary>
internal static class DeviceGemmKernels
{
    /// <summary>
    /// Largest tile of C per thread block (rows = columns), floats of one operand's shared-memory stage, most threads per
    /// side. A block of s × s threads covers a 4s × 4s tile, Stage/(4s) values of k deep: s = 16 on a GPU (16 deep), 4 on
    /// ILGPU's CPU accelerator (16 threads per group; 64 deep, so a quarter of the barriers, which are what costs there).
    /// </summary>
    public const int MaxTile = 64, Stage = 1024, MaxSide = 16;

    /// <summary>One 4s × 4s tile of C (s = the block's side): block (x, y) covers columns 4s·x … and rows 4s·y ….</summary>
    public static void Tiled(GemmArgs g, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var sa = SharedMemory.Allocate<float>(Stage);
        var sb = SharedMemory.Allocate<float>(Stage);
        int side = Group.DimX, tile = 4 * side, threads = side * side, depth = Stage / tile;
        int tx = Group.IdxX, ty = Group.IdxY, tid = ty * side + tx;
        int m0 = Grid.IdxY * tile, n0 = Grid.IdxX * tile;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k0 = 0; k0 < g.K; k0 += depth)
        {
            for (int e = tid; e < Stage; e += threads)
            {
                int kk = e / tile, mm = e - kk * tile;
                int m = m0 + mm, k = k0 + kk;
                sa[e] = m < g.M && k < g.K ? LoadA(g, a, m, k) : 0f;
            }
            for (int e = tid; e < Stage; e += threads)
            {
                int kk = e / tile, nn = e - kk * tile;
                int n = n0 + nn, k = k0 + kk;
                sb[e] = n < g.N && k < g.K ? LoadB(g, b, k, n) : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < depth; kk++)
            {
                int ai = kk * tile + ty * 4, bi = kk * tile + tx * 4;
                float a0 = sa[ai], a1 = sa[ai + 1], a2 = sa[ai + 2], a3 = sa[ai + 3];
                float b0 = sb[bi], b1 = sb[bi + 1], b2 = sb[bi + 2], b3 = sb[bi + 3];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        int mr = m0 + ty * 4, nc = n0 + tx * 4;
        Store(g, c, mr, nc, c00, c01, c02, c03);
        Store(g, c, mr + 1, nc, c10, c11, c12, c13);
        Store(g, c, mr + 2, nc, c20, c21, c22, c23);
        Store(g, c, mr + 3, nc, c30, c31, c32, c33);
    }

    static void Store(GemmArgs g, ArrayView<float> c, int m, int n, float v0, float v1, float v2, float v3)
    {
        if (m >= g.M) return;
        StoreOne(g, c, m, n, v0);
        StoreOne(g, c, m, n + 1, v1);
        StoreOne(g, c, m, n + 2, v2);
        StoreOne(g, c, m, n + 3, v3);
    }

    static void StoreOne(GemmArgs g, ArrayView<float> c, int m, int n, float v)
    {
        if (n >= g.N) return;
        long at;
        if (g.ModeC == GemmMode.UpperNchw)
        {
            int positions = g.OH * g.OW, img = n / positions;
            at = ((long)img * g.O + m) * positions + (n - img * positions);
        }
        else if (g.ModeC == GemmMode.LowerNchw)
        {
            int positions = g.H * g.W, img = n / positions;
            at = ((long)img * g.C + m) * positions + (n - img * positions);
        }
        else at = (long)m * g.Cm + (long)n * g.Cn;
        float r = g.Alpha * v;
        c[at] = g.Accumulate != 0 ? c[at] + r : r;
    }

    static float LoadA(GemmArgs g, ArrayView<float> a, int m, int k)
    {
        if (g.ModeA == GemmMode.ConvWeightTransposed)
        {
            int kk = g.Kernel * g.Kernel, o = k / kk;
            return a[((long)o * g.C + m) * kk + (k - o * kk)];
        }
        if (g.ModeA == GemmMode.UpperByChannel)
        {
            int positions = g.OH * g.OW, img = k / positions;
            return a[((long)img * g.O + m) * positions + (k - img * positions)];
        }
        return a[(long)m * g.Am + (long)k * g.Ak];
    }

    static float LoadB(GemmArgs g, ArrayView<float> b, int k, int n)
    {
        if (g.ModeB == GemmMode.Im2col) return Lower(g, b, k, n);
        if (g.ModeB == GemmMode.Im2colTransposed) return Lower(g, b, n, k);
        if (g.ModeB == GemmMode.Col2im)
        {
            int kk = g.Kernel * g.Kernel, o = k / kk, r = k - o * kk, kh = r / g.Kernel, kw = r - kh * g.Kernel;
            int positions = g.H * g.W, img = n / positions, p = n - img * positions, ih = p / g.W, iw = p - ih * g.W;
            int th = ih + g.Pad - kh, tw = iw + g.Pad - kw;
            if (th < 0 || tw < 0) return 0f;
            int oh = th / g.Stride, ow = tw / g.Stride;
            if (oh * g.Stride != th || ow * g.Stride != tw || oh >= g.OH || ow >= g.OW) return 0f;
            return b[(((long)img * g.O + o) * g.OH + oh) * g.OW + ow];
        }
        return b[(long)k * g.Bk + (long)n * g.Bn];
    }

    /// <summary>x[img, c, oh·s − p + kh, ow·s − p + kw] for patch index (c, kh, kw) and upper position (img, oh, ow); 0 in the padding.</summary>
    static float Lower(GemmArgs g, ArrayView<float> x, int patch, int column)
    {
        int kk = g.Kernel * g.Kernel, c = patch / kk, r = patch - c * kk, kh = r / g.Kernel, kw = r - kh * g.Kernel;
        int positions = g.OH * g.OW, img = column / positions, p = column - img * positions, oh = p / g.OW, ow = p - oh * g.OW;
        int ih = oh * g.Stride - g.Pad + kh, iw = ow * g.Stride - g.Pad + kw;
        if (ih < 0 || iw < 0 || ih >= g.H || iw >= g.W) return 0f;
        return x[(((long)img * g.C + c) * g.H + ih) * g.W + iw];
    }
}
