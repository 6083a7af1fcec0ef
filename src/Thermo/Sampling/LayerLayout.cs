using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>
/// Internal storage of one layer for the layered samplers: channels-last ([H][W][Cp], Cp = C rounded up to
/// 16 for free layers, Cp = C for input layers) so that fields and weights vectorise over channels; spins carry a zero border of <see cref="Border"/>
/// positions so convolutions read without bounds checks. An [N] layer is stored as [1][1][N rounded up].
/// </summary>
internal sealed class LayerLayout
{
    public int Index { get; }
    public int Offset { get; }
    public int C { get; }
    public int H { get; }
    public int W { get; }
    public int Cp { get; }
    public int Border { get; set; }
    public bool IsInput { get; }
    public int[] PinnedInternal { get; set; } = [];
    public float[] PinnedValues { get; set; } = [];

    public LayerLayout(SpinLayer layer, int index, int offset)
    {
        Index = index; Offset = offset; IsInput = layer.IsInput;
        C = layer.Channels; H = layer.Height; W = layer.Width;
        // Free layers are read and written 16 channels at a time; input layers are only ever read one
        // channel at a time (as sources), so they stay unpadded.
        Cp = layer.IsInput ? C : (C + 15) & ~15;
    }

    public int Size => C * H * W;
    public int PaddedW => W + 2 * Border;
    public int PaddedH => H + 2 * Border;
    public int SpinLength => PaddedH * PaddedW * Cp;
    public int FieldLength => H * W * Cp;

    public int SpinIndex(int c, int y, int x) => ((y + Border) * PaddedW + x + Border) * Cp + c;
    public int FieldIndex(int c, int y, int x) => (y * W + x) * Cp + c;
    public int Canonical(int c, int y, int x) => (c * H + y) * W + x;

    /// <summary>Whether spin-buffer offset <paramref name="offset"/> lies inside the layer (not in the zero border).</summary>
    public bool IsInterior(int offset)
    {
        int pos = offset / Cp, py = pos / PaddedW - Border, px = pos % PaddedW - Border;
        return (uint)py < (uint)H && (uint)px < (uint)W;
    }
}
