namespace Thermo.Sampling;

/// <summary>
/// One chain at the end of one sweep, as an observer sees it: its coordinates, the sweep, the sample index
/// (−1 when the sweep is not a sample), the β used, and its spins. Valid only during the observer call.
/// </summary>
public readonly ref struct ChainView
{
    readonly ISpinState state;

    internal ChainView(ISpinState state, int slot, long input, int chain, int sweep, int sample, float beta)
    {
        this.state = state; InputSlot = slot; InputIndex = input; Chain = chain; Sweep = sweep; Sample = sample; Beta = beta;
    }

    /// <summary>Row of the input in the batch.</summary>
    public int InputSlot { get; }
    /// <summary>Global input index.</summary>
    public long InputIndex { get; }
    /// <summary>Chain number within the input.</summary>
    public int Chain { get; }
    /// <summary>Sweep just completed (0-based, burn-in included).</summary>
    public int Sweep { get; }
    /// <summary>Sample index, or −1 when this sweep is not a sample.</summary>
    public int Sample { get; }
    /// <summary>β used for this sweep.</summary>
    public float Beta { get; }

    /// <summary>Copies the spins of a layer (channel-major) into <paramref name="destination"/>.</summary>
    public void ReadLayer(int layer, Span<sbyte> destination) => state.ReadLayer(layer, destination);
}
