namespace Thermo.Ising;

/// <summary>
/// One block of couplings of an <see cref="IsingProgram"/>. Layered blocks (dense, conv) connect a lower
/// layer to an upper layer and are scaled by the temperature gradient of the upper layer; sparse blocks
/// list pairs of spins directly.
/// </summary>
public abstract class Coupling
{
    /// <summary>Storage kind.</summary>
    public abstract CouplingKind Kind { get; }

    /// <summary>Checks the block against the program's layers; throws <see cref="ArgumentException"/> naming the problem.</summary>
    internal abstract void Validate(IReadOnlyList<SpinLayer> layers, int spinCount, int index);

    /// <summary>
    /// Calls <paramref name="add"/>(i, j, w) for every coupled pair in global spin indices (each unordered pair
    /// of this block once), w unscaled.
    /// </summary>
    public abstract void ForEachPair(IReadOnlyList<SpinLayer> layers, ReadOnlySpan<int> layerOffsets, Action<int, int, float> add);

    /// <summary>Number of (i, j) pairs <see cref="ForEachPair"/> produces.</summary>
    public abstract long PairCount(IReadOnlyList<SpinLayer> layers);

    /// <summary>
    /// Multiply–accumulates the equivalent digital layer spends on this block for one input (W·x once): the pairs,
    /// except that a convolution also multiplies its zero padding, as a digital convolution does.
    /// </summary>
    public virtual long MacsPerSample(IReadOnlyList<SpinLayer> layers) => PairCount(layers);

    internal static void CheckFinite(ReadOnlySpan<float> values, string what)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw new ArgumentException($"{what}: coupling {i} is {values[i]}, couplings must be finite");
    }
}
