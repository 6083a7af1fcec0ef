using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thermo.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C, op(X) = X or Xᵀ.
/// </summary>
/// <remarks>
/// Goto/BLIS structure: op(B) is packed in KC×NC blocks of NR-wide panels, op(A) in MC×KC blocks of MR-high
/// panels, and a register-blocked micro-kernel (<see cref="IMicroKernel"/>) computes MR×NR tiles of C.
/// The instruction set is chosen once at start-up (AVX-512, AVX2/FMA, <see cref="System.Numerics.Vector{T}"/>,
/// scalar). Threads split C into column (or row) ranges; the summation order does not depend on the thread count.
/// See docs/kernels.md.
/// </remarks>
public static unsafe partial class Gemm
{
    /// <summary>The best instruction set this processor supports (what <see cref="Sgemm"/> uses).</summary>
    public static InstructionSet BestInstructionSet { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? InstructionSet.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? InstructionSet.Avx2
        : System.Numerics.Vector.IsHardwareAccelerated ? InstructionSet.Vector
        : InstructionSet.Scalar;

    [ThreadStatic] static InstructionSet? forced;

    /// <summary>Overrides the instruction set for calls made from this thread (tests of the fallbacks); null restores the best.</summary>
    internal static InstructionSet? ForcedInstructionSet
    {
        get => forced;
        set
        {
            if (value is { } v && v > BestInstructionSet) throw new NotSupportedException($"{v} is not supported by this processor");
            forced = value;
        }
    }

    /// <summary>The instruction set used by calls from this thread.</summary>
    public static InstructionSet InstructionSet => forced ?? BestInstructionSet;

    /// <summary>Below this many flops a product runs on one thread (the fork costs more than it saves).</summary>
    internal const double ParallelThresholdFlops = 4e6;

    /// <summary>
    /// SGEMM. <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/> are row strides of the
    /// stored (untransposed) matrices. With beta = 0, C is overwritten (NaNs in C are not propagated).
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Sgemm: negative size m={m}, n={n}, k={k}");
        CheckOperand("a", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckOperand("b", b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckOperand("c", c.Length, m, n, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (k == 0 || alpha == 0)
            {
                ScaleC(m, n, beta, pc, ldc);
                return;
            }
            if (!transA && transB && InstructionSet == InstructionSet.Avx512 && UseDotProducts(m, n, k))
            {
                DotProductsNT(m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                return;
            }
            switch (InstructionSet)
            {
                case InstructionSet.Avx512: Drive<Avx512Kernel>(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc); break;
                case InstructionSet.Avx2: Drive<Avx2Kernel>(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc); break;
                case InstructionSet.Vector: Drive<VectorKernel>(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc); break;
                default: Drive<ScalarKernel>(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc); break;
            }
        }
    }

    static void CheckOperand(string name, int length, int rows, int cols, int ld)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"Sgemm: ld{name} = {ld} is less than the {cols} stored columns of {name}");
        long need = (long)(rows - 1) * ld + cols;
        if (length < need) throw new ArgumentException($"Sgemm: {name} has {length} elements, a {rows}×{cols} matrix with row stride {ld} needs {need}");
    }

    static void ScaleC(int m, int n, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    static void Drive<K>(bool ta, bool tb, int m, int n, int k, float alpha, float* a, nint lda, float* b, nint ldb,
        float beta, float* c, nint ldc) where K : struct, IMicroKernel
    {
        int threads = ParallelRange.Threads;
        int mTiles = (m + K.MR - 1) / K.MR, nTiles = (n + K.NR - 1) / K.NR;
        if (threads <= 1 || 2.0 * m * n * k < ParallelThresholdFlops || Math.Max(mTiles, nTiles) < 2)
        {
            Blocked<K, DenseMatrix, DenseMatrix>(new DenseMatrix(a, lda, ta), new DenseMatrix(b, ldb, tb), m, n, k, alpha, beta, c, ldc);
            return;
        }
        // One piece per thread: every extra piece packs the shared operand once more (measured: two per
        // thread cost ~3 % on 2048³ and bought nothing on the loaded box).
        int pieces = threads;
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        if (nTiles >= mTiles || nTiles >= 2 * threads)
        {
            // Column ranges: each thread packs its own part of B and all of A.
            KernelParallel.For(nTiles, pieces, (t0, t1) =>
            {
                int j0 = t0 * K.NR, j1 = Math.Min(n, t1 * K.NR);
                float* bj = tb ? (float*)pb + j0 * ldb : (float*)pb + j0;
                Blocked<K, DenseMatrix, DenseMatrix>(new DenseMatrix((float*)pa, lda, ta), new DenseMatrix(bj, ldb, tb), m, j1 - j0, k, alpha, beta, (float*)pc + j0, ldc);
            });
        }
        else
        {
            KernelParallel.For(mTiles, pieces, (t0, t1) =>
            {
                int i0 = t0 * K.MR, i1 = Math.Min(m, t1 * K.MR);
                float* ai = ta ? (float*)pa + i0 : (float*)pa + i0 * lda;
                Blocked<K, DenseMatrix, DenseMatrix>(new DenseMatrix(ai, lda, ta), new DenseMatrix((float*)pb, ldb, tb), i1 - i0, n, k, alpha, beta, (float*)pc + i0 * ldc, ldc);
            });
        }
    }

    // Blocking (docs/kernels.md): an MR×KC panel of A stays in L1 while the micro-kernel sweeps the KC×NC
    // block of B (L2/L3); KC = 384 was the best of 128–512 on 2048³ (AVX-512, Zen 4).

    /// <summary>
    /// A·Bᵀ with both operands row-major is computed as dot products (<see cref="DotKernel"/>) when one side is so thin
    /// that packing, which costs about as much as it saves, would dominate.
    /// </summary>
    internal static bool UseDotProducts(int m, int n, int k) => DotKernel.IsSupported && Math.Min(m, n) <= DotThin && k >= 64;

    /// <summary>Rows (or columns) at or below which an A·Bᵀ product uses dot products (from 32 the packed path wins).</summary>
    const int DotThin = 16;

    /// <summary>Summation length per pass of the dot-product path (rows of A and B stay in L2).</summary>
    const int DotBlockK = 2048;

    static void DotProductsNT(int m, int n, int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        int rowTiles = (m + 3) / 4, colTiles = (n + 3) / 4;
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        if (ParallelRange.Threads <= 1 || 2.0 * m * n * k < ParallelThresholdFlops || Math.Max(rowTiles, colTiles) < 2)
            DotProductTiles(0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else if (rowTiles >= colTiles)
            KernelParallel.For(rowTiles, KernelParallel.Pieces(4), (t0, t1) =>
                DotProductTiles(t0 * 4, Math.Min(m, t1 * 4), 0, n, k, alpha, (float*)pa, lda, (float*)pb, ldb, beta, (float*)pc, ldc));
        else
            KernelParallel.For(colTiles, KernelParallel.Pieces(4), (t0, t1) =>
                DotProductTiles(0, m, t0 * 4, Math.Min(n, t1 * 4), k, alpha, (float*)pa, lda, (float*)pb, ldb, beta, (float*)pc, ldc));
    }

    /// <summary>C[i0..i1, j0..j1) = alpha · A·Bᵀ + beta · C as 4×4 tiles of dot products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void DotProductTiles(int i0, int i1, int j0, int j1, int k, float alpha, float* a, nint lda, float* b, nint ldb,
        float beta, float* c, nint ldc)
    {
        float** ap = stackalloc float*[4];
        float** bp = stackalloc float*[4];
        float* sums = stackalloc float[16];
        for (int p0 = 0; p0 < k; p0 += DotBlockK)
        {
            int len = Math.Min(DotBlockK, k - p0);
            float betaBlock = p0 == 0 ? beta : 1f;
            for (int i = i0; i < i1; i += 4)
            {
                int rows = Math.Min(4, i1 - i);
                // Rows past the edge repeat the last one; their sums are discarded.
                for (int r = 0; r < 4; r++) ap[r] = a + (nint)(i + Math.Min(r, rows - 1)) * lda + p0;
                for (int j = j0; j < j1; j += 4)
                {
                    int cols = Math.Min(4, j1 - j);
                    for (int t = 0; t < 4; t++) bp[t] = b + (nint)(j + Math.Min(t, cols - 1)) * ldb + p0;
                    new Span<float>(sums, 16).Clear();
                    DotKernel.Tile4x4(ap, bp, 1, len, sums);
                    for (int r = 0; r < rows; r++)
                    {
                        float* cr = c + (nint)(i + r) * ldc + j;
                        for (int t = 0; t < cols; t++)
                            cr[t] = betaBlock == 0 ? alpha * sums[4 * r + t] : alpha * sums[4 * r + t] + betaBlock * cr[t];
                    }
                }
            }
        }
    }

    /// <summary>Depth of a packed block (k direction).</summary>
    internal static int BlockK<K>() where K : struct, IMicroKernel => K.Set == InstructionSet.Avx512 ? 384 : 256;
    /// <summary>Rows of op(A) per packed block.</summary>
    internal static int BlockM<K>() where K : struct, IMicroKernel => K.MR * (K.Set == InstructionSet.Avx512 ? 16 : 24);
    /// <summary>Columns of op(B) per packed block.</summary>
    internal static int BlockN<K>() where K : struct, IMicroKernel => K.NR * (K.Set == InstructionSet.Avx512 ? 32 : 64);

    /// <summary>Splits <paramref name="total"/> into equal blocks of at most <paramref name="max"/>, rounded up to <paramref name="multiple"/>.</summary>
    internal static int Balanced(int total, int max, int multiple)
    {
        int blocks = (total + max - 1) / max;
        int size = (total + blocks - 1) / blocks;
        return Math.Min(max, (size + multiple - 1) / multiple * multiple);
    }

    /// <summary>Single-threaded blocked product C = alpha · A·B + beta · C with A, B packed from any panel source.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Blocked<K, TA, TB>(in TA a, in TB b, int m, int n, int k, float alpha, float beta, float* c, nint ldc)
        where K : struct, IMicroKernel where TA : struct, IPanelSourceA where TB : struct, IPanelSourceB
    {
        int kcMax = Balanced(k, BlockK<K>(), 1);
        int mcMax = Balanced(m, BlockM<K>(), K.MR);
        int ncMax = Balanced(n, BlockN<K>(), K.NR);
        var ws = KernelWorkspace.Current;
        float* packA = ws.Get(KernelWorkspace.Slot.PackA, (long)mcMax * kcMax);
        float* packB = ws.Get(KernelWorkspace.Slot.PackB, (long)ncMax * kcMax);
        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                float betaBlock = pc == 0 ? beta : 1f;
                b.PackB<K>(pc, kc, jc, nc, packB);
                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    a.PackA<K>(ic, mc, pc, kc, packA);
                    Macro<K>(mc, nc, kc, alpha, packA, packB, betaBlock, c + ic * ldc + jc, ldc);
                }
            }
        }
    }

    /// <summary>C[mc×nc] = alpha · Ã·B̃ + beta · C over packed blocks (edge tiles go through a scratch tile).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Macro<K>(int mc, int nc, int kc, float alpha, float* packA, float* packB, float beta, float* c, nint ldc)
        where K : struct, IMicroKernel
    {
        float* tile = stackalloc float[K.MR * K.NR];
        for (int ir = 0; ir < mc; ir += K.MR)
        {
            int mr = Math.Min(K.MR, mc - ir);
            float* ap = packA + (nint)ir * kc;
            for (int jr = 0; jr < nc; jr += K.NR)
            {
                int nr = Math.Min(K.NR, nc - jr);
                float* bp = packB + (nint)jr * kc;
                float* cc = c + ir * ldc + jr;
                if (mr == K.MR && nr == K.NR)
                {
                    K.Run(kc, ap, bp, cc, ldc, alpha, beta);
                    continue;
                }
                K.Run(kc, ap, bp, tile, K.NR, alpha, 0f);
                for (int r = 0; r < mr; r++)
                {
                    float* src = tile + r * K.NR;
                    float* dst = cc + r * ldc;
                    if (beta == 0) for (int j = 0; j < nr; j++) dst[j] = src[j];
                    else for (int j = 0; j < nr; j++) dst[j] = src[j] + beta * dst[j];
                }
            }
        }
    }
}
