namespace Thermo.Devices;

/// <summary>
/// The geometry of a coupling W between a lower layer (C × H × W, or I units) and an upper one (O × OH × OW, or O
/// units) as the three implicit GEMMs of <see cref="DeviceGemmKernels"/>: forward y = W·x, data gradient
/// (also the feedback Wᵀ·y) and weight gradient. A dense coupling is the case H = W = OH = OW = kernel = 1.
/// </summary>
internal readonly record struct DeviceCoupling(bool Conv, int C, int H, int W, int O, int OH, int OW, int Kernel, int Stride, int Pad)
{
    /// <summary>Dense couplings O × I.</summary>
    public static DeviceCoupling Dense(int inputs, int outputs) => new(false, inputs, 1, 1, outputs, 1, 1, 1, 1, 0);

    /// <summary>Convolutional couplings (square kernel, stride, zero padding).</summary>
    public static DeviceCoupling Convolution(int c, int h, int w, int o, int kernel, int stride, int pad) =>
        new(true, c, h, w, o, (h + 2 * pad - kernel) / stride + 1, (w + 2 * pad - kernel) / stride + 1, kernel, stride, pad);

    /// <summary>Values of one lower / upper sample; weights; weights per upper channel (a row of W as an O × L matrix).</summary>
    public int LowerSize => C * H * W;
    /// <inheritdoc cref="LowerSize"/>
    public int UpperSize => O * OH * OW;
    /// <inheritdoc cref="LowerSize"/>
    public int WeightSize => O * RowLength;
    /// <inheritdoc cref="LowerSize"/>
    public int RowLength => C * Kernel * Kernel;

    GemmArgs Base(int batch, float alpha, bool accumulate) => new()
    {
        Alpha = alpha, Accumulate = accumulate ? 1 : 0,
        Batch = batch, C = C, H = H, W = W, O = O, OH = OH, OW = OW, Kernel = Kernel, Stride = Stride, Pad = Pad,
    };

    /// <summary>y[b] = α·W·x[b] (+ y): A = W, B = x.</summary>
    public GemmArgs Forward(int batch, float alpha = 1f, bool accumulate = false)
    {
        var g = Base(batch, alpha, accumulate);
        g.M = O; g.K = RowLength;
        if (Conv) { g.N = batch * OH * OW; g.ModeB = GemmMode.Im2col; g.ModeC = GemmMode.UpperNchw; g.Am = RowLength; g.Ak = 1; }
        else { g.N = batch; g.Am = C; g.Ak = 1; g.Bk = 1; g.Bn = C; g.Cm = 1; g.Cn = O; }
        return g;
    }

    /// <summary>x[b] = α·Wᵀ·y[b] (+ x): the data gradient, and the feedback of the upper layer; A = W, B = y.</summary>
    public GemmArgs BackwardData(int batch, float alpha = 1f, bool accumulate = false)
    {
        var g = Base(batch, alpha, accumulate);
        g.M = C; g.K = O * Kernel * Kernel;
        if (Conv) { g.N = batch * H * W; g.ModeA = GemmMode.ConvWeightTransposed; g.ModeB = GemmMode.Col2im; g.ModeC = GemmMode.LowerNchw; }
        else { g.N = batch; g.Am = 1; g.Ak = C; g.Bk = 1; g.Bn = O; g.Cm = 1; g.Cn = C; }
        return g;
    }

    /// <summary>dW = α·Σ_b y[b] ⊗ x[b] (+ dW): the weight gradient of y = W·x; A = y, B = x.</summary>
    public GemmArgs BackwardWeight(int batch, float alpha = 1f, bool accumulate = false)
    {
        var g = Base(batch, alpha, accumulate);
        g.M = O; g.N = RowLength; g.Cm = RowLength; g.Cn = 1;
        if (Conv) { g.K = batch * OH * OW; g.ModeA = GemmMode.UpperByChannel; g.ModeB = GemmMode.Im2colTransposed; }
        else { g.K = batch; g.Am = 1; g.Ak = O; g.Bk = C; g.Bn = 1; }
        return g;
    }
}
