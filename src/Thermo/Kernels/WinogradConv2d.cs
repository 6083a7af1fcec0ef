using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Kernels;

/// <summary>
/// 3×3, stride-1, padding-1 convolutions by Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray 2016,
/// interpolation points 0, ±1, ±2, ∞) on CHWN tensors. Each 4×4 output tile y of one image and output channel is
/// <code>
///   y = Aᵀ [ Σ_c U_c ⊙ V_c ] A,   U_c = G g_c Gᵀ (6×6, from the 3×3 kernel g_c),   V_c = Bᵀ d_c B (6×6, from the
/// </code>
/// 6×6 input window d_c at rows 4ty − 1 … 4ty + 4, columns 4tx − 1 … 4tx + 4, zero outside the image), so the
/// 36 element-wise positions ξ are 36 GEMMs M[ξ] (K×T) = U[ξ] (K×C) · V[ξ] (C×T) over the T = tiles × batch
/// columns: 36 multiplications per 16 outputs instead of 144. The data gradient is the same computation with the
/// flipped, transposed kernel W̃[c,k,i,j] = W[k,c,2−i,2−j]. The weight gradient follows the chain rule backwards:
/// dM = A dY Aᵀ per tile, dU[ξ] = Σ_columns dM[ξ] · V[ξ]ᵀ (a GEMM per ξ), dW = Gᵀ dU G.
/// </summary>
/// <remarks>
/// The batch is the vector lane (16 images per zmm register; a partial last group is masked), so the tile
/// transforms are element-wise vector arithmetic. Columns are numbered (tile, n) with n padded to a multiple of 16.
/// Threads split column chunks (forward, data gradient), or a chunk's column groups and then its positions ξ
/// (weight gradient); no sum is split and chunk sizes do not depend on the thread count, so results are
/// bit-identical for any thread count. AVX-512 only (<see cref="IsSupported"/>). See docs/kernels.md.
/// </remarks>
internal static unsafe class WinogradConv2d
{
    /// <summary>Input window side (tile 4 + kernel 3 − 1) and the number of element-wise positions ξ.</summary>
    const int Window = 6, Positions = 36;
    /// <summary>Vector lanes along the batch.</summary>
    const int Lanes = 16;
    /// <summary>Rows and columns of the AVX-512 micro-kernel tile.</summary>
    const int MR = 8, NR = 32;

    /// <summary>Whether this processor runs the kernels (AVX-512F).</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>Whether the geometry is one this algorithm computes: kernel 3, stride 1, padding 1, one group.</summary>
    public static bool Fits(in Conv2dGeometry g) => g.Kernel == 3 && g.Stride == 1 && g.Padding == 1 && g.Groups == 1;

    /// <summary>
    /// Columns of V and M per chunk of the forward and data-gradient products: V and M of a chunk (1–2 MB) stay near L2.
    /// 32, 64 and 128 measured alike on the benchmark layers, 256 was 5–15 % slower.
    /// </summary>
    const int ChunkColumns = 64;

    /// <summary>Below this many flops (of the Winograd products) a pass runs on one thread.</summary>
    const double ParallelThresholdFlops = 4e6;

    /// <summary>Below this many (row, column) kernel pairs the kernel and weight-gradient transforms run on one thread.</summary>
    const double KernelTransformParallelPairs = 16384;

    /// <summary>yt = conv(xt, w) on CHWN tensors (no bias).</summary>
    public static void Forward(in Conv2dGeometry g, float* xt, float* w, float* yt) =>
        Products(g, xt, g.InChannels, w, false, yt, g.OutChannels);

    /// <summary>dxt = convᵀ(dyt, w) on CHWN tensors: the forward pass with the flipped, transposed kernel.</summary>
    public static void BackwardData(in Conv2dGeometry g, float* dyt, float* w, float* dxt) =>
        Products(g, dyt, g.OutChannels, w, true, dxt, g.InChannels);

    // ---------------------------------------------------------------------------------------------------------
    // Forward and data gradient: M[ξ] = U[ξ] · V[ξ] per chunk of columns.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Tiles and lane groups of a geometry (H×W images, same size in and out).</summary>
    readonly struct Layout(in Conv2dGeometry g)
    {
        public readonly int Batch = g.Batch, Height = g.InHeight, Width = g.InWidth;
        public readonly int TilesX = (g.InWidth + 3) / 4, Tiles = (g.InHeight + 3) / 4 * ((g.InWidth + 3) / 4);
        public readonly int LaneGroups = (g.Batch + Lanes - 1) / Lanes;
        /// <summary>Column groups of 16: (tile, lane group), lane group innermost.</summary>
        public int Groups => Tiles * LaneGroups;

        /// <summary>Column group gi: its first image n0 and its 4×4 output tile's top-left pixel (y0, x0).</summary>
        public (int N0, int Y0, int X0) Group(int gi)
        {
            int tile = gi / LaneGroups, ty = tile / TilesX;
            return ((gi - tile * LaneGroups) * Lanes, 4 * ty, 4 * (tile - ty * TilesX));
        }

        /// <summary>Whether group gi's 4×4 output tile lies inside the image and its 16 lanes inside the batch.</summary>
        public bool Whole(int n0, int y0, int x0) => y0 + 4 <= Height && x0 + 4 <= Width && n0 + Lanes <= Batch;
    }

    static void Products(in Conv2dGeometry g, float* src, int cin, float* w, bool dataGradient, float* dst, int cout)
    {
        var layout = new Layout(g);
        int rows = (cout + MR - 1) / MR * MR;
        float[] uArray = ArrayPool<float>.Shared.Rent(Positions * rows * cin + 16);
        try
        {
            fixed (float* uStorage = uArray)
            {
                float* u = (float*)(((nint)uStorage + 63) & ~(nint)63);
                int panels = rows / MR;
                nint pw = (nint)w, pu0 = (nint)u;
                if ((double)rows * cin < KernelTransformParallelPairs || ParallelRange.Threads <= 1 || panels < 2)
                    TransformKernel(w, cout, cin, dataGradient, u, rows, 0, panels);
                else KernelParallel.For(panels, KernelParallel.Pieces(2), (p0, p1) =>
                    TransformKernel((float*)pw, cout, cin, dataGradient, (float*)pu0, rows, p0, p1));
                int chunkGroups = Math.Max(2, ChunkColumns / Lanes) & ~1;
                int chunks = (layout.Groups + chunkGroups - 1) / chunkGroups;
                double flops = 2.0 * Positions * cout * cin * layout.Groups * Lanes;
                nint ps = (nint)src, pu = (nint)u, pd = (nint)dst;
                if (flops < ParallelThresholdFlops || ParallelRange.Threads <= 1 || chunks < 2)
                    ProductChunks(layout, (float*)ps, cin, (float*)pu, rows, (float*)pd, cout, 0, layout.Groups, chunkGroups);
                else
                    KernelParallel.For(chunks, KernelParallel.Pieces(2), (c0, c1) =>
                        ProductChunks(layout, (float*)ps, cin, (float*)pu, rows, (float*)pd, cout,
                            c0 * chunkGroups, Math.Min(layout.Groups, c1 * chunkGroups), chunkGroups));
            }
        }
        finally { ArrayPool<float>.Shared.Return(uArray); }
    }

    /// <summary>
    /// U[ξ] in packed micro-kernel panels: u[((ξ·rows/8 + r/8)·cols + c)·8 + r%8] = (G g Gᵀ)[ξ] for row r (output
    /// channel of the product) and column c, rows past <paramref name="count"/> zero. Forward: g = w[r, c];
    /// data gradient: g[i, j] = w[c, r, 2−i, 2−j].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TransformKernel(float* w, int count, int cols, bool dataGradient, float* u, int rows, int p0, int p1)
    {
        int panels = rows / MR;
        float* g = stackalloc float[9 * MR];
        float* t = stackalloc float[18 * MR];
        for (int p = p0; p < p1; p++)
        {
            for (int c = 0; c < cols; c++)
            {
                // g[e·8 + l] = tap e = 3i + j of row p·8 + l.
                for (int l = 0; l < MR; l++)
                {
                    int r = p * MR + l;
                    if (r >= count) { for (int e = 0; e < 9; e++) g[e * MR + l] = 0; continue; }
                    if (!dataGradient) { float* s = w + ((nint)r * cols + c) * 9; for (int e = 0; e < 9; e++) g[e * MR + l] = s[e]; }
                    else { float* s = w + ((nint)c * count + r) * 9; for (int e = 0; e < 9; e++) g[e * MR + l] = s[8 - e]; }
                }
                // Columns: t[a, j] = (G g)[a, j], a < 6, j < 3.
                for (int j = 0; j < 3; j++)
                {
                    var g0 = Vector256.Load(g + j * MR); var g1 = Vector256.Load(g + (3 + j) * MR); var g2 = Vector256.Load(g + (6 + j) * MR);
                    G(g0, g1, g2, out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
                    Vector256.Store(u0, t + (0 * 3 + j) * MR); Vector256.Store(u1, t + (1 * 3 + j) * MR); Vector256.Store(u2, t + (2 * 3 + j) * MR);
                    Vector256.Store(u3, t + (3 * 3 + j) * MR); Vector256.Store(u4, t + (4 * 3 + j) * MR); Vector256.Store(u5, t + (5 * 3 + j) * MR);
                }
                // Rows: U[a, b] = (t Gᵀ)[a, b].
                for (int a = 0; a < Window; a++)
                {
                    G(Vector256.Load(t + (a * 3) * MR), Vector256.Load(t + (a * 3 + 1) * MR), Vector256.Load(t + (a * 3 + 2) * MR),
                        out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
                    nint stride = (nint)panels * cols * MR;
                    float* d = u + (((nint)(a * Window) * panels + p) * cols + c) * MR;
                    Vector256.Store(u0, d); Vector256.Store(u1, d + stride); Vector256.Store(u2, d + 2 * stride);
                    Vector256.Store(u3, d + 3 * stride); Vector256.Store(u4, d + 4 * stride); Vector256.Store(u5, d + 5 * stride);
                }
            }
        }
    }

    /// <summary>G·(g0, g1, g2)ᵀ with G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void G(Vector256<float> g0, Vector256<float> g1, Vector256<float> g2, out Vector256<float> u0, out Vector256<float> u1,
        out Vector256<float> u2, out Vector256<float> u3, out Vector256<float> u4, out Vector256<float> u5)
    {
        var even = g0 + g2;
        u0 = g0 * 0.25f;
        u1 = (even + g1) * (-1f / 6);
        u2 = (even - g1) * (-1f / 6);
        var e = g0 * (1f / 24) + g2 * (1f / 6);
        var o = g1 * (1f / 12);
        u3 = e + o;
        u4 = e - o;
        u5 = g2;
    }

    /// <summary>Lane groups [g0, g1) of the product, in chunks of <paramref name="chunkGroups"/> groups.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void ProductChunks(in Layout l, float* src, int cin, float* u, int rows, float* dst, int cout, int g0, int g1, int chunkGroups)
    {
        var ws = KernelWorkspace.Current;
        int maxColumns = chunkGroups * Lanes;
        float* v = ws.Get(KernelWorkspace.Slot.WinogradInput, (long)Positions * cin * maxColumns);
        float* m = ws.Get(KernelWorkspace.Slot.WinogradProduct, (long)Positions * rows * maxColumns);
        float* scratch = stackalloc float[Positions * Lanes];
        float* patch = stackalloc float[Positions * Lanes];
        int kc = Gemm.Balanced(cin, 384, 1);
        for (int start = g0; start < g1; start += chunkGroups)
        {
            int end = Math.Min(g1, start + chunkGroups);
            int columns = (end - start) * Lanes, padded = (columns + NR - 1) / NR * NR, panels = padded / NR;
            nint vXi = (nint)panels * cin * NR;
            // V: panel layout v[((ξ·panels + j)·cin + c)·32 + col % 32], j = col / 32 (the micro-kernel's packed B).
            for (int gi = start; gi < end; gi++)
            {
                int col = (gi - start) * Lanes;
                float* vBase = v + (nint)(col / NR) * cin * NR + col % NR;
                InputTransforms(l, src, cin, gi, vBase, NR, vXi, scratch, patch);
            }
            if (columns < padded)
                for (int xi = 0; xi < Positions; xi++)
                    for (int c = 0; c < cin; c++)
                        Vector512.Store(Vector512<float>.Zero, v + xi * vXi + ((nint)(panels - 1) * cin + c) * NR + Lanes);

            // M[ξ] (rows × padded, row-major) = U[ξ] · V[ξ].
            for (int xi = 0; xi < Positions; xi++)
            {
                float* mXi = m + (nint)xi * rows * padded;
                for (int pc = 0; pc < cin; pc += kc)
                {
                    int depth = Math.Min(kc, cin - pc);
                    float beta = pc == 0 ? 0f : 1f;
                    for (int ip = 0; ip < rows / MR; ip++)
                    {
                        float* a = u + (((nint)xi * (rows / MR) + ip) * cin + pc) * MR;
                        float* c = mXi + (nint)ip * MR * padded;
                        for (int j = 0; j < panels; j++)
                            Avx512Kernel.Run(depth, a, v + xi * vXi + ((nint)j * cin + pc) * NR, c + j * NR, padded, 1f, beta);
                    }
                }
            }

            for (int gi = start; gi < end; gi++)
            {
                int col = (gi - start) * Lanes;
                OutputTransforms(l, m + col, (nint)rows * padded, padded, dst, cout, gi, scratch, patch);
            }
        }
    }

    /// <summary>V_c = Bᵀ d_c B for every channel c of lane group <paramref name="gi"/>; V_c[ξ] goes to out + c·cStride + ξ·xiStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void InputTransforms(in Layout l, float* src, int channels, int gi, float* output, nint cStride, nint xiStride,
        float* scratch, float* patch)
    {
        var (n0, y0, x0) = l.Group(gi);
        int iy0 = y0 - 1, ix0 = x0 - 1, h = l.Height, w = l.Width, batch = l.Batch;
        bool inside = iy0 >= 0 && ix0 >= 0 && iy0 + Window <= h && ix0 + Window <= w && n0 + Lanes <= batch;
        nint plane = (nint)h * w * batch, rowStride = (nint)w * batch;
        float* s = src + ((nint)iy0 * w + ix0) * batch + n0;
        if (inside)
        {
            for (int c = 0; c < channels; c++)
                InputTile(s + c * plane, rowStride, batch, output + c * cStride, xiStride, scratch);
            return;
        }
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(batch - n0)).AsSingle();
        for (int c = 0; c < channels; c++)
        {
            float* sc = s + c * plane;
            for (int a = 0; a < Window; a++)
                for (int b = 0; b < Window; b++)
                {
                    bool valid = (uint)(iy0 + a) < (uint)h && (uint)(ix0 + b) < (uint)w;
                    var d = valid ? Avx512F.MaskLoad(sc + a * rowStride + b * batch, mask, Vector512<float>.Zero) : Vector512<float>.Zero;
                    Vector512.Store(d, patch + (a * Window + b) * Lanes);
                }
            InputTile(patch, Window * Lanes, Lanes, output + c * cStride, xiStride, scratch);
        }
    }

    /// <summary>out[ξ·xiStride] = (Bᵀ d B)[ξ] for the 6×6 window d[a, b] = src[a·rowStride + b·colStride] (16 lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void InputTile(float* src, nint rowStride, nint colStride, float* output, nint xiStride, float* t)
    {
        for (int b = 0; b < Window; b++)
        {
            float* s = src + b * colStride;
            Bt(Vector512.Load(s), Vector512.Load(s + rowStride), Vector512.Load(s + 2 * rowStride), Vector512.Load(s + 3 * rowStride),
                Vector512.Load(s + 4 * rowStride), Vector512.Load(s + 5 * rowStride),
                out var t0, out var t1, out var t2, out var t3, out var t4, out var t5);
            Vector512.Store(t0, t + (0 * Window + b) * Lanes); Vector512.Store(t1, t + (1 * Window + b) * Lanes);
            Vector512.Store(t2, t + (2 * Window + b) * Lanes); Vector512.Store(t3, t + (3 * Window + b) * Lanes);
            Vector512.Store(t4, t + (4 * Window + b) * Lanes); Vector512.Store(t5, t + (5 * Window + b) * Lanes);
        }
        for (int a = 0; a < Window; a++)
        {
            float* r = t + a * Window * Lanes;
            Bt(Vector512.Load(r), Vector512.Load(r + Lanes), Vector512.Load(r + 2 * Lanes), Vector512.Load(r + 3 * Lanes),
                Vector512.Load(r + 4 * Lanes), Vector512.Load(r + 5 * Lanes),
                out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
            float* o = output + a * Window * xiStride;
            Vector512.Store(v0, o); Vector512.Store(v1, o + xiStride); Vector512.Store(v2, o + 2 * xiStride);
            Vector512.Store(v3, o + 3 * xiStride); Vector512.Store(v4, o + 4 * xiStride); Vector512.Store(v5, o + 5 * xiStride);
        }
    }

    /// <summary>
    /// Bᵀ·(d0 … d5)ᵀ with Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Bt(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4, Vector512<float> d5,
        out Vector512<float> t0, out Vector512<float> t1, out Vector512<float> t2, out Vector512<float> t3, out Vector512<float> t4, out Vector512<float> t5)
    {
        var four = Vector512.Create(4f); var minusFive = Vector512.Create(-5f); var two = Vector512.Create(2f);
        t0 = Avx512F.FusedMultiplyAdd(four, d0, Avx512F.FusedMultiplyAdd(minusFive, d2, d4));
        t5 = Avx512F.FusedMultiplyAdd(four, d1, Avx512F.FusedMultiplyAdd(minusFive, d3, d5));
        var s12 = d1 + d2; var s34 = d3 + d4;
        t1 = Avx512F.FusedMultiplyAddNegated(four, s12, s34);
        var m12 = d1 - d2; var m43 = d4 - d3;
        t2 = Avx512F.FusedMultiplyAdd(four, m12, m43);
        var m31 = d3 - d1; var m42 = d4 - d2;
        t3 = Avx512F.FusedMultiplyAdd(two, m31, m42);
        t4 = Avx512F.FusedMultiplyAddNegated(two, m31, m42);
    }

    /// <summary>Y = Aᵀ M A for every output channel of lane group <paramref name="gi"/>; M_k[ξ] is at m + k·kStride + ξ·xiStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OutputTransforms(in Layout l, float* m, nint xiStride, nint kStride, float* dst, int channels, int gi,
        float* scratch, float* patch)
    {
        var (n0, y0, x0) = l.Group(gi);
        int h = l.Height, w = l.Width, batch = l.Batch;
        bool inside = l.Whole(n0, y0, x0);
        nint plane = (nint)h * w * batch, rowStride = (nint)w * batch;
        float* d = dst + ((nint)y0 * w + x0) * batch + n0;
        if (inside)
        {
            for (int k = 0; k < channels; k++) OutputTile(m + k * kStride, xiStride, d + k * plane, rowStride, batch, scratch);
            return;
        }
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(batch - n0)).AsSingle();
        for (int k = 0; k < channels; k++)
        {
            OutputTile(m + k * kStride, xiStride, patch, 4 * Lanes, Lanes, scratch);
            float* dk = d + k * plane;
            for (int a = 0; a < 4 && y0 + a < h; a++)
                for (int b = 0; b < 4 && x0 + b < w; b++)
                    Avx512F.MaskStore(dk + a * rowStride + b * batch, mask, Vector512.Load(patch + (a * 4 + b) * Lanes));
        }
    }

    /// <summary>out[a·rowStride + b·colStride] = (Aᵀ M A)[a, b] for the 6×6 M[ξ] = m[ξ·xiStride] (16 lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void OutputTile(float* m, nint xiStride, float* output, nint rowStride, nint colStride, float* t)
    {
        for (int b = 0; b < Window; b++)
        {
            float* s = m + b * xiStride;
            nint step = Window * xiStride;
            At(Vector512.Load(s), Vector512.Load(s + step), Vector512.Load(s + 2 * step), Vector512.Load(s + 3 * step),
                Vector512.Load(s + 4 * step), Vector512.Load(s + 5 * step), out var o0, out var o1, out var o2, out var o3);
            Vector512.Store(o0, t + (0 * Window + b) * Lanes); Vector512.Store(o1, t + (1 * Window + b) * Lanes);
            Vector512.Store(o2, t + (2 * Window + b) * Lanes); Vector512.Store(o3, t + (3 * Window + b) * Lanes);
        }
        for (int a = 0; a < 4; a++)
        {
            float* r = t + a * Window * Lanes;
            At(Vector512.Load(r), Vector512.Load(r + Lanes), Vector512.Load(r + 2 * Lanes), Vector512.Load(r + 3 * Lanes),
                Vector512.Load(r + 4 * Lanes), Vector512.Load(r + 5 * Lanes), out var y0, out var y1, out var y2, out var y3);
            float* o = output + a * rowStride;
            Vector512.Store(y0, o); Vector512.Store(y1, o + colStride); Vector512.Store(y2, o + 2 * colStride); Vector512.Store(y3, o + 3 * colStride);
        }
    }

    /// <summary>Aᵀ·(m0 … m5)ᵀ with Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void At(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4, Vector512<float> m5,
        out Vector512<float> o0, out Vector512<float> o1, out Vector512<float> o2, out Vector512<float> o3)
    {
        var s12 = m1 + m2; var d12 = m1 - m2; var s34 = m3 + m4; var d34 = m3 - m4;
        o0 = m0 + s12 + s34;
        o1 = Avx512F.FusedMultiplyAdd(Vector512.Create(2f), d34, d12);
        o2 = Avx512F.FusedMultiplyAdd(Vector512.Create(4f), s34, s12);
        o3 = Avx512F.FusedMultiplyAdd(Vector512.Create(8f), d34, d12 + m5);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Weight gradient: dU[ξ] = Σ_columns dM[ξ] · V[ξ]ᵀ, chunk by chunk.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Scratch budgets (floats) for V and dM of one weight-gradient chunk: 2 MB for the packed products (short chunks
    /// stay near L2; 1, 2, 4, 8, 16 MB measured, the two smallest best), 8 MB for dot products (long dot products pay
    /// their reduction rarely); the bounds on the chunk's columns; the input channels from which the products are packed.
    /// </summary>
    const int WeightChunkFloats = 1 << 19, DotChunkFloats = 2 << 20, MinWeightColumns = 64, MinDotColumns = 128, MaxWeightColumns = 2048,
        PackedMinChannels = 32;

    /// <summary>dw = Σ_n dyt ⋆ xt (overwrites dw), both CHWN.</summary>
    public static void BackwardWeight(in Conv2dGeometry g, float* xt, float* dyt, float* dw)
    {
        var layout = new Layout(g);
        int cin = g.InChannels, cout = g.OutChannels;
        // Long chunks keep the dot products long (their reduction is paid once per chunk); the chunk size does not
        // depend on the thread count, so neither does the summation order.
        bool packed = cin >= PackedMinChannels;
        int columns = packed
            ? Math.Clamp(WeightChunkFloats / (Positions * (cin + cout)) / Lanes * Lanes, MinWeightColumns, MaxWeightColumns)
            : Math.Clamp(DotChunkFloats / (Positions * (cin + cout)) / Lanes * Lanes, MinDotColumns, MaxWeightColumns);
        int chunkGroups = columns / Lanes;
        float[] duArray = ArrayPool<float>.Shared.Rent(Positions * cout * cin);
        float[] vArray = ArrayPool<float>.Shared.Rent(Positions * cin * columns);
        float[] dmArray = ArrayPool<float>.Shared.Rent(Positions * cout * columns);
        try
        {
            fixed (float* du = duArray, v = vArray, dm = dmArray)
            {
                nint px = (nint)xt, pdy = (nint)dyt, pdu = (nint)du, pv = (nint)v, pdm = (nint)dm;
                double flops = 2.0 * Positions * cout * cin * layout.Groups * Lanes;
                bool parallel = flops >= ParallelThresholdFlops && ParallelRange.Threads > 1;
                // The chunk's state is captured by reference, so the two bodies are allocated once per call.
                int start = 0, width = 0;
                bool first = true;
                Action<int, int> transforms = (g0, g1) =>
                    WeightTransforms(layout, (float*)px, cin, (float*)pdy, cout, (float*)pv, (float*)pdm, width, start, g0, g1);
                Action<int, int> products = (x0, x1) =>
                    WeightProducts((float*)pv, (float*)pdm, cin, cout, width, (float*)pdu, first, packed, x0, x1);
                for (; start < layout.Groups; start += chunkGroups)
                {
                    int groups = Math.Min(layout.Groups - start, chunkGroups);
                    width = groups * Lanes;
                    first = start == 0;
                    // V[ξ] (cin × width) and dM[ξ] (cout × width), row-major, for the columns of this chunk.
                    if (parallel) KernelParallel.For(groups, KernelParallel.Pieces(2), transforms);
                    else transforms(0, groups);
                    if (parallel) KernelParallel.For(Positions, Positions, products);
                    else products(0, Positions);
                }
                nint pw = (nint)dw;
                if ((double)cout * cin < KernelTransformParallelPairs || ParallelRange.Threads <= 1 || cout < 2)
                    TransformWeightGradient(du, cout, cin, dw, 0, cout);
                else KernelParallel.For(cout, KernelParallel.Pieces(2), (k0, k1) => TransformWeightGradient((float*)pdu, cout, cin, (float*)pw, k0, k1));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(duArray);
            ArrayPool<float>.Shared.Return(vArray);
            ArrayPool<float>.Shared.Return(dmArray);
        }
    }

    /// <summary>V and dM for lane groups start + [g0, g1) of a chunk: v[(ξ·cin + c)·width + col], dm[(ξ·cout + k)·width + col].</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void WeightTransforms(in Layout l, float* xt, int cin, float* dyt, int cout, float* v, float* dm, int width, int start, int g0, int g1)
    {
        float* scratch = stackalloc float[Positions * Lanes];
        float* patch = stackalloc float[Positions * Lanes];
        for (int gi = g0; gi < g1; gi++)
        {
            int col = gi * Lanes;
            InputTransforms(l, xt, cin, start + gi, v + col, width, (nint)cin * width, scratch, patch);
            GradientTransforms(l, dyt, cout, start + gi, dm + col, width, (nint)cout * width, scratch, patch);
        }
    }

    /// <summary>
    /// dU[ξ] (=, or += after the first chunk) Σ_col dM[ξ][k, col] · V[ξ][c, col] for ξ in [x0, x1): a packed GEMM, or 4×4 tiles of
    /// dot products along the columns when there are too few input channels to fill the micro-kernel's 32-wide panels.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void WeightProducts(float* v, float* dm, int cin, int cout, int width, float* du, bool first, bool packed, int x0, int x1)
    {
        float** a = stackalloc float*[4];
        float** b = stackalloc float*[4];
        float* sums = stackalloc float[16];
        for (int xi = x0; xi < x1; xi++)
        {
            float* vx = v + (nint)xi * cin * width, dx = dm + (nint)xi * cout * width, duXi = du + (nint)xi * cout * cin;
            if (packed)
            {
                Gemm.Blocked<Avx512Kernel, DenseMatrix, DenseMatrix>(new DenseMatrix(dx, width, false), new DenseMatrix(vx, width, true),
                    cout, cin, width, 1f, first ? 0f : 1f, duXi, cin);
                continue;
            }
            for (int k = 0; k < cout; k += 4)
            {
                int rows = Math.Min(4, cout - k);
                // Rows past the edge repeat the last one; their sums are discarded.
                for (int r = 0; r < 4; r++) a[r] = dx + (nint)(k + Math.Min(r, rows - 1)) * width;
                for (int c = 0; c < cin; c += 4)
                {
                    int cols = Math.Min(4, cin - c);
                    for (int t = 0; t < 4; t++) b[t] = vx + (nint)(c + Math.Min(t, cols - 1)) * width;
                    new Span<float>(sums, 16).Clear();
                    DotKernel.Tile4x4(a, b, 1, width, sums);
                    for (int r = 0; r < rows; r++)
                    {
                        float* o = duXi + (nint)(k + r) * cin + c;
                        if (first) for (int t = 0; t < cols; t++) o[t] = sums[4 * r + t];
                        else for (int t = 0; t < cols; t++) o[t] += sums[4 * r + t];
                    }
                }
            }
        }
    }

    /// <summary>dM_k = A dY_k Aᵀ (the 4×4 output-gradient tile, zero outside the image) for every channel k of lane group <paramref name="gi"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GradientTransforms(in Layout l, float* dyt, int channels, int gi, float* output, nint kStride, nint xiStride,
        float* scratch, float* patch)
    {
        var (n0, y0, x0) = l.Group(gi);
        int h = l.Height, w = l.Width, batch = l.Batch;
        bool inside = l.Whole(n0, y0, x0);
        nint plane = (nint)h * w * batch, rowStride = (nint)w * batch;
        float* s = dyt + ((nint)y0 * w + x0) * batch + n0;
        if (inside)
        {
            for (int k = 0; k < channels; k++) GradientTile(s + k * plane, rowStride, batch, output + k * kStride, xiStride, scratch);
            return;
        }
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(batch - n0)).AsSingle();
        for (int k = 0; k < channels; k++)
        {
            float* sk = s + k * plane;
            for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++)
                {
                    bool valid = y0 + a < h && x0 + b < w;
                    var d = valid ? Avx512F.MaskLoad(sk + a * rowStride + b * batch, mask, Vector512<float>.Zero) : Vector512<float>.Zero;
                    Vector512.Store(d, patch + (a * 4 + b) * Lanes);
                }
            GradientTile(patch, 4 * Lanes, Lanes, output + k * kStride, xiStride, scratch);
        }
    }

    /// <summary>out[ξ·xiStride] = (A dy Aᵀ)[ξ] for the 4×4 dy[a, b] = src[a·rowStride + b·colStride] (16 lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void GradientTile(float* src, nint rowStride, nint colStride, float* output, nint xiStride, float* t)
    {
        for (int b = 0; b < 4; b++)
        {
            float* s = src + b * colStride;
            A(Vector512.Load(s), Vector512.Load(s + rowStride), Vector512.Load(s + 2 * rowStride), Vector512.Load(s + 3 * rowStride),
                out var t0, out var t1, out var t2, out var t3, out var t4, out var t5);
            Vector512.Store(t0, t + (0 * 4 + b) * Lanes); Vector512.Store(t1, t + (1 * 4 + b) * Lanes);
            Vector512.Store(t2, t + (2 * 4 + b) * Lanes); Vector512.Store(t3, t + (3 * 4 + b) * Lanes);
            Vector512.Store(t4, t + (4 * 4 + b) * Lanes); Vector512.Store(t5, t + (5 * 4 + b) * Lanes);
        }
        for (int a = 0; a < Window; a++)
        {
            float* r = t + a * 4 * Lanes;
            A(Vector512.Load(r), Vector512.Load(r + Lanes), Vector512.Load(r + 2 * Lanes), Vector512.Load(r + 3 * Lanes),
                out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
            float* o = output + a * Window * xiStride;
            Vector512.Store(v0, o); Vector512.Store(v1, o + xiStride); Vector512.Store(v2, o + 2 * xiStride);
            Vector512.Store(v3, o + 3 * xiStride); Vector512.Store(v4, o + 4 * xiStride); Vector512.Store(v5, o + 5 * xiStride);
        }
    }

    /// <summary>A·(y0 … y3)ᵀ with A = (Aᵀ)ᵀ = [1 0 0 0; 1 1 1 1; 1 −1 1 −1; 1 2 4 8; 1 −2 4 −8; 0 0 0 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void A(Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3,
        out Vector512<float> t0, out Vector512<float> t1, out Vector512<float> t2, out Vector512<float> t3, out Vector512<float> t4, out Vector512<float> t5)
    {
        var e = y0 + y2; var o = y1 + y3;
        var e4 = Avx512F.FusedMultiplyAdd(Vector512.Create(4f), y2, y0);
        var o8 = Avx512F.FusedMultiplyAdd(Vector512.Create(8f), y3, y1 + y1);
        t0 = y0; t1 = e + o; t2 = e - o; t3 = e4 + o8; t4 = e4 - o8; t5 = y3;
    }

    /// <summary>dw[k, c] = Gᵀ dU[k, c] G (3×3 from 6×6) for k in [k0, k1), with dU[ξ] stored as du[(ξ·cout + k)·cin + c].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TransformWeightGradient(float* du, int cout, int cin, float* dw, int k0, int k1)
    {
        float* t = stackalloc float[18 * Lanes];
        float* r = stackalloc float[9 * Lanes];
        nint xiStride = (nint)cout * cin;
        for (int k = k0; k < k1; k++)
            for (int c0 = 0; c0 < cin; c0 += Lanes)
            {
                int count = Math.Min(Lanes, cin - c0);
                var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
                float* s = du + (nint)k * cin + c0;
                // Columns: t[i, β] = (Gᵀ dU)[i, β].
                for (int b = 0; b < Window; b++)
                {
                    float* sb = s + b * xiStride;
                    nint step = Window * xiStride;
                    var z = Vector512<float>.Zero;
                    Gt(Avx512F.MaskLoad(sb, mask, z), Avx512F.MaskLoad(sb + step, mask, z), Avx512F.MaskLoad(sb + 2 * step, mask, z),
                        Avx512F.MaskLoad(sb + 3 * step, mask, z), Avx512F.MaskLoad(sb + 4 * step, mask, z), Avx512F.MaskLoad(sb + 5 * step, mask, z),
                        out var w0, out var w1, out var w2);
                    Vector512.Store(w0, t + (0 * Window + b) * Lanes); Vector512.Store(w1, t + (1 * Window + b) * Lanes);
                    Vector512.Store(w2, t + (2 * Window + b) * Lanes);
                }
                for (int i = 0; i < 3; i++)
                {
                    float* q = t + i * Window * Lanes;
                    Gt(Vector512.Load(q), Vector512.Load(q + Lanes), Vector512.Load(q + 2 * Lanes), Vector512.Load(q + 3 * Lanes),
                        Vector512.Load(q + 4 * Lanes), Vector512.Load(q + 5 * Lanes), out var w0, out var w1, out var w2);
                    Vector512.Store(w0, r + (3 * i) * Lanes); Vector512.Store(w1, r + (3 * i + 1) * Lanes); Vector512.Store(w2, r + (3 * i + 2) * Lanes);
                }
                float* o = dw + ((nint)k * cin + c0) * 9;
                for (int lane = 0; lane < count; lane++)
                    for (int e = 0; e < 9; e++) o[lane * 9 + e] = r[e * Lanes + lane];
            }
    }

    /// <summary>Gᵀ·(v0 … v5)ᵀ with Gᵀ = [1/4 −1/6 −1/6 1/24 1/24 0; 0 −1/6 1/6 1/12 −1/12 0; 0 −1/6 −1/6 1/6 1/6 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Gt(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, Vector512<float> v4, Vector512<float> v5,
        out Vector512<float> w0, out Vector512<float> w1, out Vector512<float> w2)
    {
        var s12 = v1 + v2; var d21 = v2 - v1; var s34 = v3 + v4; var d34 = v3 - v4;
        w0 = v0 * 0.25f - s12 * (1f / 6) + s34 * (1f / 24);
        w1 = d21 * (1f / 6) + d34 * (1f / 12);
        w2 = (s34 - s12) * (1f / 6) + v5;
    }
}
