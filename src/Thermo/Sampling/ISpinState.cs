namespace Thermo.Sampling;

/// <summary>Read access to one chain's current spins, in global spin order.</summary>
public interface ISpinState
{
    /// <summary>Copies the spins of layer <paramref name="layer"/> (flattened channel-major) into <paramref name="destination"/>.</summary>
    void ReadLayer(int layer, Span<sbyte> destination);
}
