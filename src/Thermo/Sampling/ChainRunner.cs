namespace Thermo.Sampling;

/// <summary>
/// One worker's chain state inside a sampler: reset to an input's initial state, advance one sweep, and
/// expose the spins to observers. A runner is used by one thread at a time.
/// </summary>
public abstract class ChainRunner : ISpinState
{
    /// <summary>Starts chain (input, chain): input spins from <paramref name="inputSpins"/>, pinned spins from the program, free spins from the initial-state random numbers.</summary>
    public abstract void Reset(long input, int chain, ReadOnlySpan<sbyte> inputSpins, ulong seed);

    /// <summary>One sweep: every colour once, in order, at inverse temperature <paramref name="beta"/>.</summary>
    public abstract void Sweep(int sweep, float beta);

    /// <inheritdoc/>
    public abstract void ReadLayer(int layer, Span<sbyte> destination);
}
