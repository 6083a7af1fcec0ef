namespace Thermo.Devices;

/// <summary>
/// One launch of <see cref="DeviceGemmKernels.Tiled"/>: C[m, n] = α·Σ_k A[m, k]·B[k, n] (+ C when
/// <see cref="Accumulate"/>), where each operand is read or written through a mode: a dense strided matrix, or the
/// implicit im2col views of an NCHW convolution (the conv fields below), so no im2col buffer is ever built.
/// </summary>
internal struct GemmArgs
{
    public int M, N, K;
    /// <summary>Operand modes (see <see cref="GemmMode"/>).</summary>
    public int ModeA, ModeB, ModeC;
    /// <summary>Dense strides: A[m, k] = a[m·Am + k·Ak], B[k, n] = b[k·Bk + n·Bn], C[m, n] = c[m·Cm + n·Cn].</summary>
    public int Am, Ak, Bk, Bn, Cm, Cn;
    /// <summary>Scale of the product; 1 to add to C, 0 to overwrite it.</summary>
    public float Alpha;
    public int Accumulate;
    /// <summary>The convolution the conv modes index: images, lower channels C × H × W, upper channels O × OH × OW, kernel, stride, padding.</summary>
    public int Batch, C, H, W, O, OH, OW, Kernel, Stride, Pad;
}

/// <summary>How a <see cref="GemmArgs"/> operand is addressed.</summary>
internal static class GemmMode
{
    /// <summary>A, B or C: a dense strided matrix.</summary>
    public const int Dense = 0;
    /// <summary>A[m = c, k = (o, kh, kw)] = w[o, c, kh, kw]: the transposed conv weights (data gradient).</summary>
    public const int ConvWeightTransposed = 1;
    /// <summary>A[m = o, k = (img, oh, ow)] = y[img, o, oh, ow]: upper activations by channel (weight gradient).</summary>
    public const int UpperByChannel = 2;
    /// <summary>B[k = (c, kh, kw), n = (img, oh, ow)] = x[img, c, oh·s − p + kh, ow·s − p + kw] (forward im2col; 0 outside).</summary>
    public const int Im2col = 1;
    /// <summary>B[k = (o, kh, kw), n = (img, ih, iw)] = y[img, o, (ih + p − kh)/s, (iw + p − kw)/s] where that is a whole upper position, else 0 (data gradient).</summary>
    public const int Col2im = 2;
    /// <summary>B[k = (img, oh, ow), n = (c, kh, kw)] = x[img, c, oh·s − p + kh, ow·s − p + kw] (weight gradient).</summary>
    public const int Im2colTransposed = 3;
    /// <summary>C[m = channel, n = (img, position)] stored NCHW with the upper layer's shape (O × OH × OW).</summary>
    public const int UpperNchw = 1;
    /// <summary>C[m = channel, n = (img, position)] stored NCHW with the lower layer's shape (C × H × W).</summary>
    public const int LowerNchw = 2;
}
