namespace Thermo.Ising;

/// <summary>
/// Dense couplings between all spins of a lower and an upper layer: E ∋ −Σ_{i,j} J W_ij s_upper,i s_lower,j with
/// W of shape [upper size, lower size] (layers flattened channel-major), J = δ^(upper−1) the temperature gradient.
/// </summary>
public sealed class DenseCoupling : Coupling
{
    /// <summary>Lower and upper layer indices (Lower &lt; Upper).</summary>
    public int Lower { get; }
    /// <inheritdoc cref="Lower"/>
    public int Upper { get; }
    /// <summary>Weights, row-major [upper size, lower size].</summary>
    public float[] Weight { get; }

    /// <summary>Creates the block (validated when the program is built).</summary>
    public DenseCoupling(int lower, int upper, float[] weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Lower = lower; Upper = upper; Weight = weight;
    }

    /// <inheritdoc/>
    public override CouplingKind Kind => CouplingKind.Dense;

    internal override void Validate(IReadOnlyList<SpinLayer> layers, int spinCount, int index)
    {
        string what = $"coupling {index} (dense {Lower}→{Upper})";
        if ((uint)Lower >= (uint)layers.Count || (uint)Upper >= (uint)layers.Count)
            throw new ArgumentException($"{what}: layer index out of range (program has {layers.Count} layers)");
        if (Lower >= Upper) throw new ArgumentException($"{what}: the lower layer must come before the upper layer");
        long expected = (long)layers[Upper].Size * layers[Lower].Size;
        if (Weight.Length != expected)
            throw new ArgumentException($"{what}: weight has {Weight.Length} values, layers {layers[Upper].ShapeString} and {layers[Lower].ShapeString} need {expected}");
        CheckFinite(Weight, what);
    }

    /// <inheritdoc/>
    public override void ForEachPair(IReadOnlyList<SpinLayer> layers, ReadOnlySpan<int> layerOffsets, Action<int, int, float> add)
    {
        int n = layers[Lower].Size, m = layers[Upper].Size, lo = layerOffsets[Lower], up = layerOffsets[Upper];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) add(up + i, lo + j, Weight[(long)i * n + j]);
    }

    /// <inheritdoc/>
    public override long PairCount(IReadOnlyList<SpinLayer> layers) => (long)layers[Lower].Size * layers[Upper].Size;
}
