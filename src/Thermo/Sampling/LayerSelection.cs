using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>Some layers of a program read as one vector (layer after layer, each channel-major).</summary>
internal sealed class LayerSelection
{
    public int[] Layers { get; }
    public int[] Offsets { get; }
    public int Size { get; }

    public LayerSelection(IsingProgram program, int[] layers)
    {
        Layers = layers.Length == 0 ? Enumerable.Range(0, program.Layers.Count).ToArray() : (int[])layers.Clone();
        Offsets = new int[Layers.Length + 1];
        for (int k = 0; k < Layers.Length; k++)
        {
            if ((uint)Layers[k] >= (uint)program.Layers.Count)
                throw new ArgumentException($"observer: layer {Layers[k]} out of range (program has {program.Layers.Count} layers)");
            Offsets[k + 1] = Offsets[k] + program.Layers[Layers[k]].Size;
        }
        Size = Offsets[^1];
    }

    /// <summary>Global spin index of selected element <paramref name="k"/>.</summary>
    public int GlobalIndex(IsingProgram program, int k)
    {
        int l = Array.FindLastIndex(Offsets, Layers.Length - 1, Layers.Length, o => o <= k);
        return program.LayerOffsets[Layers[l]] + (k - Offsets[l]);
    }

    public void Read(in ChainView view, Span<sbyte> destination)
    {
        for (int k = 0; k < Layers.Length; k++) view.ReadLayer(Layers[k], destination[Offsets[k]..Offsets[k + 1]]);
    }
}
