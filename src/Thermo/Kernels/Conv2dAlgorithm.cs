namespace Thermo.Kernels;

/// <summary>How <see cref="Conv2dKernel"/> computes a pass.</summary>
internal enum Conv2dAlgorithm
{
    /// <summary>GEMMs over the batch-innermost unfolded input (any geometry).</summary>
    Im2col,
    /// <summary>Winograd F(4×4, 3×3) (kernel 3, stride 1, padding 1, one group; AVX-512): <see cref="WinogradConv2d"/>.</summary>
    Winograd,
}
