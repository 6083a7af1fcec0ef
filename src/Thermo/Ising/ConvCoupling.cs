using Thermo.Kernels;

namespace Thermo.Ising;

/// <summary>
/// Weight-tied local couplings: the upper layer [Cout, H', W'] couples to the lower layer [Cin, H, W] through a
/// 2-D convolution (square kernel K, stride, zero padding), E ∋ −J Σ_{o,y,x} s_upper[o,y,x] Σ_{c,i,j} W[o,c,i,j]
/// s_lower[c, y·stride + i − pad, x·stride + j − pad], J = δ^(upper−1). The lower layer feels the upper one through
/// the transposed convolution.
/// </summary>
public sealed class ConvCoupling : Coupling
{
    /// <summary>Lower and upper layer indices (Lower &lt; Upper).</summary>
    public int Lower { get; }
    /// <inheritdoc cref="Lower"/>
    public int Upper { get; }
    /// <summary>Weights [Cout, Cin, K, K].</summary>
    public float[] Weight { get; }
    /// <summary>Kernel size K, stride and zero padding.</summary>
    public int Kernel { get; }
    /// <inheritdoc cref="Kernel"/>
    public int Stride { get; }
    /// <inheritdoc cref="Kernel"/>
    public int Padding { get; }

    /// <summary>Creates the block (validated when the program is built).</summary>
    public ConvCoupling(int lower, int upper, float[] weight, int kernel, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Lower = lower; Upper = upper; Weight = weight; Kernel = kernel; Stride = stride; Padding = padding;
    }

    /// <inheritdoc/>
    public override CouplingKind Kind => CouplingKind.Conv;

    /// <summary>The convolution geometry for a batch of one.</summary>
    public Conv2dGeometry Geometry(IReadOnlyList<SpinLayer> layers)
    {
        var lo = layers[Lower];
        return new Conv2dGeometry(1, lo.Channels, lo.Height, lo.Width, layers[Upper].Channels, Kernel, Stride, Padding);
    }

    internal override void Validate(IReadOnlyList<SpinLayer> layers, int spinCount, int index)
    {
        string what = $"coupling {index} (conv {Lower}→{Upper})";
        if ((uint)Lower >= (uint)layers.Count || (uint)Upper >= (uint)layers.Count)
            throw new ArgumentException($"{what}: layer index out of range (program has {layers.Count} layers)");
        if (Lower >= Upper) throw new ArgumentException($"{what}: the lower layer must come before the upper layer");
        SpinLayer lo = layers[Lower], up = layers[Upper];
        if (lo.Shape.Length != 3 || up.Shape.Length != 3)
            throw new ArgumentException($"{what}: convolutions need [C, H, W] layers, got {lo.ShapeString} and {up.ShapeString}");
        if (Kernel <= 0 || Stride <= 0 || Padding < 0)
            throw new ArgumentException($"{what}: kernel {Kernel}, stride {Stride}, padding {Padding} must be positive (padding ≥ 0)");
        var g = Geometry(layers);
        if (g.OutHeight <= 0 || g.OutWidth <= 0 || g.OutHeight != up.Height || g.OutWidth != up.Width)
            throw new ArgumentException($"{what}: a {Kernel}x{Kernel} convolution with stride {Stride}, padding {Padding} maps {lo.ShapeString} to [{up.Channels}, {g.OutHeight}, {g.OutWidth}], but the upper layer is {up.ShapeString}");
        if (Weight.Length != g.WeightSize)
            throw new ArgumentException($"{what}: weight has {Weight.Length} values, [{up.Channels}, {lo.Channels}, {Kernel}, {Kernel}] needs {g.WeightSize}");
        CheckFinite(Weight, what);
    }

    /// <inheritdoc/>
    public override void ForEachPair(IReadOnlyList<SpinLayer> layers, ReadOnlySpan<int> layerOffsets, Action<int, int, float> add)
    {
        SpinLayer lo = layers[Lower], up = layers[Upper];
        int k = Kernel, cin = lo.Channels, h = lo.Height, w = lo.Width, oh = up.Height, ow = up.Width;
        int loOff = layerOffsets[Lower], upOff = layerOffsets[Upper];
        for (int o = 0; o < up.Channels; o++)
        for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
        for (int c = 0; c < cin; c++)
        for (int i = 0; i < k; i++)
        {
            int iy = y * Stride + i - Padding;
            if ((uint)iy >= (uint)h) continue;
            for (int j = 0; j < k; j++)
            {
                int ix = x * Stride + j - Padding;
                if ((uint)ix >= (uint)w) continue;
                add(upOff + (o * oh + y) * ow + x, loOff + (c * h + iy) * w + ix, Weight[((o * cin + c) * k + i) * k + j]);
            }
        }
    }

    /// <inheritdoc/>
    public override long MacsPerSample(IReadOnlyList<SpinLayer> layers) => (long)layers[Upper].Size * layers[Lower].Channels * Kernel * Kernel;

    /// <inheritdoc/>
    public override long PairCount(IReadOnlyList<SpinLayer> layers)
    {
        SpinLayer lo = layers[Lower], up = layers[Upper];
        long valid = 0;
        // Valid taps factorise over rows and columns.
        long rows = 0, cols = 0;
        for (int y = 0; y < up.Height; y++) for (int i = 0; i < Kernel; i++) if ((uint)(y * Stride + i - Padding) < (uint)lo.Height) rows++;
        for (int x = 0; x < up.Width; x++) for (int j = 0; j < Kernel; j++) if ((uint)(x * Stride + j - Padding) < (uint)lo.Width) cols++;
        valid = rows * cols;
        return valid * up.Channels * lo.Channels;
    }
}
