namespace Thermo.Kernels;

/// <summary>
/// Shape of a 2-D convolution on NCHW tensors with square kernel, stride and zero padding:
/// out[n,o,y,x] = Σ_{c∈group(o),i,j} w[o,c,i,j] · in[n,c,y·s+i−p,x·s+j−p] (+ bias[o]),
/// OutH = (InH + 2p − K)/s + 1. Weights are [OutChannels, InChannels/Groups, K, K].
/// </summary>
public readonly record struct Conv2dGeometry(int Batch, int InChannels, int InHeight, int InWidth,
    int OutChannels, int Kernel, int Stride = 1, int Padding = 0, int Groups = 1)
{
    /// <summary>Output height.</summary>
    public int OutHeight => (InHeight + 2 * Padding - Kernel) / Stride + 1;
    /// <summary>Output width.</summary>
    public int OutWidth => (InWidth + 2 * Padding - Kernel) / Stride + 1;
    /// <summary>Elements of one input image (C·H·W).</summary>
    public int InputSize => InChannels * InHeight * InWidth;
    /// <summary>Elements of one output image.</summary>
    public int OutputSize => OutChannels * OutHeight * OutWidth;
    /// <summary>Elements of the weight tensor.</summary>
    public int WeightSize => OutChannels * (InChannels / Groups) * Kernel * Kernel;

    /// <summary>The geometry in words, for messages (not the record's member dump).</summary>
    public override string ToString() =>
        $"batch {Batch}, input {InChannels}x{InHeight}x{InWidth}, {OutChannels} output channels, kernel {Kernel}, stride {Stride}, padding {Padding}, groups {Groups}";

    /// <summary>Throws a clear error when the geometry is inconsistent.</summary>
    public void Validate()
    {
        if (Batch < 0 || InChannels <= 0 || InHeight <= 0 || InWidth <= 0 || OutChannels <= 0 || Kernel <= 0 || Stride <= 0 || Padding < 0 || Groups <= 0)
            throw new ArgumentException($"invalid convolution geometry: {this}");
        if (InChannels % Groups != 0 || OutChannels % Groups != 0)
            throw new ArgumentException($"channels ({InChannels} in, {OutChannels} out) must be divisible by groups ({Groups})");
        if (OutHeight <= 0 || OutWidth <= 0)
            throw new ArgumentException($"kernel {Kernel} with padding {Padding} does not fit a {InHeight}x{InWidth} input");
    }
}
