using System.Buffers;
using System.Runtime.CompilerServices;

namespace Thermo.Kernels;

/// <summary>
/// Convolution kernels on NCHW float32 buffers (see <see cref="Conv2dGeometry"/> for the equation).
/// BackwardData is also the transposed convolution: it maps an output-shaped tensor through Wᵀ.
/// </summary>
/// <remarks>
/// All three passes are GEMMs over the unfolded input X̂ (im2col) with the batch as the innermost column index:
/// tensors are transposed once from NCHW to CHWN, so each packed panel of X̂ is a run of contiguous copies
/// (any stride, padding or kernel size), and the products run on the packed SGEMM micro-kernels:
/// forward Y = W·X̂, data gradient dX̂ = Wᵀ·dY folded back (col2im), weight gradient dW = dY·X̂ᵀ.
/// See docs/kernels.md.
/// </remarks>
public static unsafe class Conv2dKernel
{
    /// <summary>out = conv(in, w) + bias. <paramref name="bias"/> may be empty.</summary>
    public static void Forward(in Conv2dGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> output)
    {
        g.Validate();
        CheckLength("input", input.Length, (long)g.Batch * g.InputSize);
        CheckLength("weight", weight.Length, g.WeightSize);
        if (!bias.IsEmpty) CheckLength("bias", bias.Length, g.OutChannels);
        CheckLength("output", output.Length, (long)g.Batch * g.OutputSize);
        if (g.Batch == 0) return;
        var geo = g;
        fixed (float* x = input, w = weight, b = bias, y = output)
        {
            switch (Gemm.InstructionSet)
            {
                case InstructionSet.Avx512: Forward<Avx512Kernel>(geo, x, w, b, y); break;
                case InstructionSet.Avx2: Forward<Avx2Kernel>(geo, x, w, b, y); break;
                case InstructionSet.Vector: Forward<VectorKernel>(geo, x, w, b, y); break;
                default: Forward<ScalarKernel>(geo, x, w, b, y); break;
            }
        }
    }

    /// <summary>gradInput = convᵀ(gradOutput, w) (overwrites gradInput). Also the transposed convolution.</summary>
    public static void BackwardData(in Conv2dGeometry g, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> weight, Span<float> gradInput) =>
        Backward(g, default, gradOutput, weight, gradInput, default, default);

    /// <summary>gradWeight = Σ_n gradOutput ⋆ input; gradBias = Σ gradOutput (overwrites both; gradBias may be empty).</summary>
    public static void BackwardWeight(in Conv2dGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> gradOutput,
        Span<float> gradWeight, Span<float> gradBias) =>
        Backward(g, input, gradOutput, default, default, gradWeight, gradBias);

    /// <summary>
    /// Both backward passes sharing one layout change of gradOutput: gradInput (when not empty, needs weight),
    /// gradWeight (when not empty, needs input) and gradBias (when not empty); all overwritten.
    /// </summary>
    public static void Backward(in Conv2dGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> weight,
        Span<float> gradInput, Span<float> gradWeight, Span<float> gradBias)
    {
        g.Validate();
        bool wantX = !gradInput.IsEmpty, wantW = !gradWeight.IsEmpty;
        CheckLength("gradOutput", gradOutput.Length, (long)g.Batch * g.OutputSize);
        if (wantX)
        {
            CheckLength("weight", weight.Length, g.WeightSize);
            CheckLength("gradInput", gradInput.Length, (long)g.Batch * g.InputSize);
        }
        if (wantW)
        {
            CheckLength("input", input.Length, (long)g.Batch * g.InputSize);
            CheckLength("gradWeight", gradWeight.Length, g.WeightSize);
        }
        if (!gradBias.IsEmpty) CheckLength("gradBias", gradBias.Length, g.OutChannels);
        if (wantW) gradWeight[..g.WeightSize].Clear();
        if (!gradBias.IsEmpty) gradBias[..g.OutChannels].Clear();
        if (g.Batch == 0) return;
        var geo = g;
        fixed (float* x = input, dy = gradOutput, w = weight, dx = gradInput, dw = gradWeight, db = gradBias)
        {
            switch (Gemm.InstructionSet)
            {
                case InstructionSet.Avx512: Backward<Avx512Kernel>(geo, x, dy, w, dx, dw, db); break;
                case InstructionSet.Avx2: Backward<Avx2Kernel>(geo, x, dy, w, dx, dw, db); break;
                case InstructionSet.Vector: Backward<VectorKernel>(geo, x, dy, w, dx, dw, db); break;
                default: Backward<ScalarKernel>(geo, x, dy, w, dx, dw, db); break;
            }
        }
    }

    [ThreadStatic] static Conv2dAlgorithm? forcedAlgorithm;

    /// <summary>
    /// Overrides the algorithm choice for calls from this thread (tests and benchmarks comparing the two); null restores
    /// the automatic choice. Winograd is honoured only where it applies (<see cref="WinogradConv2d.Fits"/>, AVX-512).
    /// </summary>
    internal static Conv2dAlgorithm? ForcedAlgorithm
    {
        get => forcedAlgorithm;
        set => forcedAlgorithm = value;
    }

    /// <summary>Smallest batch for which Winograd is chosen automatically (the batch is its vector lane).</summary>
    internal const int WinogradMinBatch = 16;

    /// <summary>Fewest input channels for which Winograd is chosen automatically (below, the layout changes dominate both paths).</summary>
    internal const int WinogradMinInChannels = 16;

    /// <summary>The algorithm the passes of this geometry use on this thread.</summary>
    internal static Conv2dAlgorithm AlgorithmFor(in Conv2dGeometry g)
    {
        bool possible = WinogradConv2d.Fits(g) && Gemm.InstructionSet == InstructionSet.Avx512 && WinogradConv2d.IsSupported;
        if (!possible) return Conv2dAlgorithm.Im2col;
        if (forcedAlgorithm is { } forced) return forced;
        return g.Batch >= WinogradMinBatch && g.InChannels >= WinogradMinInChannels ? Conv2dAlgorithm.Winograd : Conv2dAlgorithm.Im2col;
    }

    static void CheckLength(string name, int length, long need)
    {
        if (length < need) throw new ArgumentException($"Conv2d: {name} has {length} elements, the geometry needs {need}");
    }

    /// <summary>Below this many flops a pass runs on one thread.</summary>
    const double ParallelThresholdFlops = 4e6;

    static int ThreadsFor(double flops) => flops < ParallelThresholdFlops ? 1 : ParallelRange.Threads;

    static void Forward<K>(Conv2dGeometry g, float* x, float* w, float* bias, float* y) where K : struct, IMicroKernel
    {
        int batch = g.Batch, spatial = g.OutHeight * g.OutWidth, columns = spatial * batch;
        int cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, depth = cinG * g.Kernel * g.Kernel;
        float[] xtArray = ArrayPool<float>.Shared.Rent(batch * g.InputSize);
        float[] ytArray = ArrayPool<float>.Shared.Rent(batch * g.OutputSize);
        float[]? addArray = bias == null ? null : ArrayPool<float>.Shared.Rent(g.OutputSize);
        int[] tableArray = ArrayPool<int>.Shared.Rent(Im2colTables.Ints(g));
        try
        {
            fixed (float* xt = xtArray, yt = ytArray, add = addArray)
            fixed (int* tableStorage = tableArray)
            {
                PanelPacking.Transpose(x, batch, g.InputSize, xt);
                var tables = new Im2colTables(tableStorage, g);
                int threads = ThreadsFor(2.0 * coutG * depth * columns);
                int tiles = (columns + K.NR - 1) / K.NR;
                if (AlgorithmFor(g) == Conv2dAlgorithm.Winograd) WinogradConv2d.Forward(g, xt, w, yt);
                else for (int grp = 0; grp < g.Groups; grp++)
                {
                    float* wg = w + (nint)grp * coutG * depth;
                    float* xg = xt + (nint)grp * cinG * g.InHeight * g.InWidth * batch;
                    float* yg = yt + (nint)grp * coutG * columns;
                    nint pw = (nint)wg, px = (nint)xg, py = (nint)yg;
                    if (threads <= 1 || tiles < 2) ForwardColumns<K>(g, tables, (float*)pw, (float*)px, (float*)py, 0, columns);
                    else KernelParallel.For(tiles, KernelParallel.Pieces(4), (t0, t1) =>
                        ForwardColumns<K>(g, tables, (float*)pw, (float*)px, (float*)py, t0 * K.NR, Math.Min(columns, t1 * K.NR)));
                }
                if (add != null)
                    for (int o = 0; o < g.OutChannels; o++) new Span<float>(add + (nint)o * spatial, spatial).Fill(bias[o]);
                PanelPacking.Transpose(yt, g.OutputSize, batch, y, add);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(xtArray);
            ArrayPool<float>.Shared.Return(ytArray);
            if (addArray != null) ArrayPool<float>.Shared.Return(addArray);
            ArrayPool<int>.Shared.Return(tableArray);
        }
    }

    /// <summary>Y[:, q0..q1) = W · X̂[:, q0..q1) for one group (CHWN columns).</summary>
    static void ForwardColumns<K>(in Conv2dGeometry g, Im2colTables tables, float* w, float* xt, float* yt, int q0, int q1)
        where K : struct, IMicroKernel
    {
        int cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, depth = cinG * g.Kernel * g.Kernel;
        int columns = g.OutHeight * g.OutWidth * g.Batch;
        Gemm.Blocked<K, DenseMatrix, Im2col>(new DenseMatrix(w, depth, false), new Im2col(xt, tables, g, q0),
            coutG, q1 - q0, depth, 1f, 0f, yt + q0, columns);
    }

    static void Backward<K>(Conv2dGeometry g, float* x, float* dy, float* w, float* dx, float* dw, float* db) where K : struct, IMicroKernel
    {
        int batch = g.Batch, spatial = g.OutHeight * g.OutWidth, columns = spatial * batch;
        int cinG = g.InChannels / g.Groups, coutG = g.OutChannels / g.Groups, kk = g.Kernel * g.Kernel, depth = cinG * kk;
        int planeN = g.InHeight * g.InWidth * batch;
        bool wantX = dx != null, wantW = dw != null;
        float[] dytArray = ArrayPool<float>.Shared.Rent(batch * g.OutputSize);
        float[] xtArray = ArrayPool<float>.Shared.Rent(batch * g.InputSize);
        int[] tableArray = ArrayPool<int>.Shared.Rent(Im2colTables.Ints(g));
        try
        {
            fixed (float* dyt = dytArray, xt = xtArray)
            fixed (int* tableStorage = tableArray)
            {
                PanelPacking.Transpose(dy, batch, g.OutputSize, dyt);
                var tables = new Im2colTables(tableStorage, g);
                nint pdyt = (nint)dyt, pxt = (nint)xt;
                if (db != null)
                    for (int o = 0; o < g.OutChannels; o++)
                        db[o] = System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>(dyt + (nint)o * columns, columns));
                bool winograd = AlgorithmFor(g) == Conv2dAlgorithm.Winograd;
                if (wantW) PanelPacking.Transpose(x, batch, g.InputSize, xt);
                if (wantW && winograd) WinogradConv2d.BackwardWeight(g, xt, dyt, dw);
                else if (wantW)
                {
                    int threads = ThreadsFor(2.0 * coutG * depth * columns);
                    int tiles = (depth + K.NR - 1) / K.NR;
                    for (int grp = 0; grp < g.Groups; grp++)
                    {
                        nint pw = (nint)(dw + (nint)grp * coutG * depth), pdy = (nint)(dyt + (nint)grp * coutG * columns);
                        nint px = (nint)(xt + (nint)grp * cinG * planeN);
                        if (UseDotProducts<K>(g))
                        {
                            const int nr = DotKernel.PanelRowsB;
                            int panels = (depth + nr - 1) / nr;
                            if (threads <= 1 || panels < 2) WeightDots(g, tables, (float*)pdy, (float*)px, (float*)pw, 0, depth);
                            else KernelParallel.For(panels, DotPieces(panels), (t0, t1) =>
                                WeightDots(g, tables, (float*)pdy, (float*)px, (float*)pw, t0 * nr, Math.Min(depth, t1 * nr)));
                        }
                        else if (threads <= 1 || tiles < 2) WeightRows<K>(g, tables, (float*)pdy, (float*)px, (float*)pw, 0, depth);
                        else KernelParallel.For(tiles, KernelParallel.Pieces(2), (t0, t1) =>
                            WeightRows<K>(g, tables, (float*)pdy, (float*)px, (float*)pw, t0 * K.NR, Math.Min(depth, t1 * K.NR)));
                    }
                }
                if (wantX)
                {
                    // xt now receives dX in CHWN layout.
                    int threads = ThreadsFor(2.0 * coutG * depth * columns);
                    if (winograd) WinogradConv2d.BackwardData(g, dyt, w, xt);
                    else for (int grp = 0; grp < g.Groups; grp++)
                    {
                        nint pw = (nint)(w + (nint)grp * coutG * depth), pdy = (nint)(dyt + (nint)grp * coutG * columns);
                        nint pdx = (nint)(xt + (nint)grp * cinG * planeN);
                        if (threads <= 1 || cinG < 2) DataChannels<K>(g, tables, (float*)pw, (float*)pdy, (float*)pdx, 0, cinG);
                        else KernelParallel.For(cinG, KernelParallel.Pieces(2), (c0, c1) => DataChannels<K>(g, tables, (float*)pw, (float*)pdy, (float*)pdx, c0, c1));
                    }
                    PanelPacking.Transpose(xt, g.InputSize, batch, dx);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dytArray);
            ArrayPool<float>.Shared.Return(xtArray);
            ArrayPool<int>.Shared.Return(tableArray);
        }
    }

    /// <summary>dW[:, p0..p1) = dY · X̂ᵀ[:, p0..p1) for one group.</summary>
    static void WeightRows<K>(in Conv2dGeometry g, Im2colTables tables, float* dyt, float* xt, float* dw, int p0, int p1)
        where K : struct, IMicroKernel
    {
        int coutG = g.OutChannels / g.Groups, depth = g.InChannels / g.Groups * g.Kernel * g.Kernel;
        int columns = g.OutHeight * g.OutWidth * g.Batch;
        Gemm.Blocked<K, DenseMatrix, Im2colTransposed>(new DenseMatrix(dyt, columns, false), new Im2colTransposed(xt, tables, g, p0),
            coutG, p1 - p0, columns, 1f, 0f, dw + p0, depth);
    }

    /// <summary>
    /// The weight gradient is summed as dot products along the batch (no transposing pack of X̂) when the
    /// batch fills whole vectors.
    /// </summary>
    static bool UseDotProducts<K>(in Conv2dGeometry g) where K : struct, IMicroKernel =>
        K.Set == InstructionSet.Avx512 && DotKernel.IsSupported && g.Batch >= 16;

    /// <summary>Summation length per block of <see cref="WeightDots"/> (whole runs; the packed panel, 32 KB, stays in L1).</summary>
    const int DotBlockColumns = 1024;

    /// <summary>
    /// Pieces of the thread split of <see cref="WeightDots"/>: every piece streams all of dY once more, so a piece gets
    /// at least 16 panels (128 rows of X̂), and each thread at least one piece.
    /// </summary>
    static int DotPieces(int panels) => Math.Clamp(panels / 16, ParallelRange.Threads, KernelParallel.Pieces(4));

    /// <summary>
    /// dW[:, p0..p1) += Σ_q dY[:, q] · X̂[p0..p1), q] for one group, as 3×8 tiles of dot products along q
    /// (<see cref="DotKernel.Tile3x8"/>). Per block of whole runs (output positions, N columns each), the rows of X̂
    /// are packed eight at a time into a panel that stays in L1 while every triple of dY rows (read in place, L2)
    /// streams past it; padded taps are packed as zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WeightDots(in Conv2dGeometry g, Im2colTables tables, float* dyt, float* xt, float* dw, int p0, int p1)
    {
        const int mr = DotKernel.PanelRowsA, nr = DotKernel.PanelRowsB;
        int batch = g.Batch, ow = g.OutWidth, h = g.InHeight, w = g.InWidth, spatial = g.OutHeight * ow;
        int coutG = g.OutChannels / g.Groups, depth = g.InChannels / g.Groups * g.Kernel * g.Kernel, columns = spatial * batch;
        int runsPerBlock = Math.Max(1, DotBlockColumns / batch);
        int slices = (runsPerBlock * batch + 15) / 16;
        float* panel = KernelWorkspace.Current.Get(KernelWorkspace.Slot.PackB, (long)slices * nr * 16);
        float* edge = stackalloc float[mr * nr];
        for (int s0 = 0; s0 < spatial; s0 += runsPerBlock)
        {
            int runs = Math.Min(runsPerBlock, spatial - s0), length = runs * batch;
            for (int p = p0; p < p1; p += nr)
            {
                int cols = Math.Min(nr, p1 - p);
                // Lanes past the end of the block meet the zeros of masked loads of dY and must be zero too (0 · NaN is
                // NaN); a narrow panel at the edge is cleared whole.
                if (cols < nr) new Span<float>(panel, (length + 15) / 16 * nr * 16).Clear();
                else if (length % 16 != 0) new Span<float>(panel + length / 16 * nr * 16, nr * 16).Clear();
                for (int run = 0; run < runs; run++)
                {
                    int s = s0 + run, y = s / ow, x = s - y * ow;
                    int iy0 = y * g.Stride - g.Padding, ix0 = x * g.Stride - g.Padding;
                    float* b = xt + ((nint)iy0 * w + ix0) * batch;
                    for (int t = 0; t < cols; t++)
                    {
                        int pt = p + t;
                        bool inside = (uint)(iy0 + tables.KernelRow[pt]) < (uint)h && (uint)(ix0 + tables.KernelCol[pt]) < (uint)w;
                        DotKernel.PackPanelRow(inside ? b + tables.Offset[pt] : null, run * batch, batch, panel, t);
                    }
                }
                for (int o = 0; o < coutG; o += mr)
                {
                    // Rows past the edge repeat the last one; their sums are discarded.
                    int rows = Math.Min(mr, coutG - o);
                    float* a0 = dyt + (nint)o * columns + (nint)s0 * batch;
                    float* a1 = rows > 1 ? a0 + columns : a0, a2 = rows > 2 ? a1 + columns : a1;
                    if (rows == mr && cols == nr)
                    {
                        DotKernel.Tile3x8(a0, a1, a2, panel, length, dw + (nint)o * depth + p, depth);
                        continue;
                    }
                    new Span<float>(edge, mr * nr).Clear();
                    DotKernel.Tile3x8(a0, a1, a2, panel, length, edge, nr);
                    for (int r = 0; r < rows; r++)
                        for (int t = 0; t < cols; t++) dw[(nint)(o + r) * depth + p + t] += edge[nr * r + t];
                }
            }
        }
    }

    /// <summary>Columns per block of the data gradient (the block of dX̂ is folded back while it is in cache).</summary>
    const int DataBlockColumns = 256;

    /// <summary>dX[c0..c1) (CHWN, one group) = col2im(Wᵀ · dY) for the unfolded rows of channels c0..c1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void DataChannels<K>(in Conv2dGeometry g, Im2colTables tables, float* w, float* dyt, float* dxt, int c0, int c1)
        where K : struct, IMicroKernel
    {
        int batch = g.Batch, k = g.Kernel, kk = k * k, h = g.InHeight, wd = g.InWidth, ow = g.OutWidth;
        int coutG = g.OutChannels / g.Groups, depth = g.InChannels / g.Groups * kk, columns = g.OutHeight * ow * batch;
        int planeN = h * wd * batch;
        new Span<float>(dxt + (nint)c0 * planeN, (c1 - c0) * planeN).Clear();
        int rows = (c1 - c0) * kk, p0 = c0 * kk;
        float* block = KernelWorkspace.Current.Get(KernelWorkspace.Slot.Columns, (long)rows * DataBlockColumns);
        var a = new DenseMatrix(w + p0, depth, true);
        for (int q0 = 0; q0 < columns; q0 += DataBlockColumns)
        {
            int nq = Math.Min(DataBlockColumns, columns - q0);
            Gemm.Blocked<K, DenseMatrix, DenseMatrix>(a, new DenseMatrix(dyt + q0, columns, false), rows, nq, coutG, 1f, 0f, block, nq);
            // Fold back: dX[c, y·s + i − pad, x·s + j − pad, n] += dX̂[(c, i, j), (y, x, n)], runs contiguous in n.
            for (int done = 0; done < nq;)
            {
                int q = q0 + done;
                int s = q / batch, n = q - s * batch, y = s / ow, x = s - y * ow;
                int len = Math.Min(batch - n, nq - done);
                int iy0 = y * g.Stride - g.Padding, ix0 = x * g.Stride - g.Padding;
                float* b = dxt + ((nint)iy0 * wd + ix0) * batch + n;
                for (int r = 0; r < rows; r++)
                {
                    int p = p0 + r;
                    if ((uint)(iy0 + tables.KernelRow[p]) >= (uint)h || (uint)(ix0 + tables.KernelCol[p]) >= (uint)wd) continue;
                    PanelPacking.AddTo(b + tables.Offset[p], block + (nint)r * nq + done, len);
                }
                done += len;
            }
        }
    }
}
