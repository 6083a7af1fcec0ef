using Thermo.Ising;

namespace Thermo.Sampling;

/// <summary>One chain (<see cref="Column"/>) of a host copy of the device sampler's states, laid out [spin][chain].</summary>
internal sealed class DeviceChainState(IsingProgram program, sbyte[] states, int chains) : ISpinState
{
    public int Column { get; set; }

    public void ReadLayer(int layer, Span<sbyte> destination)
    {
        int offset = program.LayerOffsets[layer], size = program.Layers[layer].Size;
        for (int k = 0; k < size; k++) destination[k] = states[(long)(offset + k) * chains + Column];
    }
}
