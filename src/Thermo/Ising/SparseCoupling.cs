namespace Thermo.Ising;

/// <summary>
/// Arbitrary couplings between pairs of spins in global indices: E ∋ −Σ_k J_k s_{I_k} s_{J_k}. Each unordered
/// pair appears once, or twice as (i, j) and (j, i) with the same value (a symmetric matrix listing, taken
/// once). Sparse couplings are used as given: the temperature gradient δ does not scale them.
/// </summary>
public sealed class SparseCoupling : Coupling
{
    /// <summary>First spin of each pair.</summary>
    public int[] I { get; }
    /// <summary>Second spin of each pair.</summary>
    public int[] J { get; }
    /// <summary>Coupling J_ij of each pair.</summary>
    public float[] Value { get; }

    /// <summary>Creates the block (validated when the program is built). Symmetric duplicates are folded.</summary>
    public SparseCoupling(int[] i, int[] j, float[] value)
    {
        ArgumentNullException.ThrowIfNull(i); ArgumentNullException.ThrowIfNull(j); ArgumentNullException.ThrowIfNull(value);
        if (i.Length != j.Length || i.Length != value.Length)
            throw new ArgumentException($"sparse coupling: {i.Length} first indices, {j.Length} second indices and {value.Length} values must have the same length");
        (I, J, Value) = Fold(i, j, value);
    }

    /// <summary>Builds from (i, j, J_ij) triples.</summary>
    public static SparseCoupling FromTriples(IEnumerable<(int I, int J, float Value)> triples)
    {
        var list = triples.ToList();
        return new SparseCoupling(list.Select(t => t.I).ToArray(), list.Select(t => t.J).ToArray(), list.Select(t => t.Value).ToArray());
    }

    /// <inheritdoc/>
    public override CouplingKind Kind => CouplingKind.Sparse;

    static (int[], int[], float[]) Fold(int[] i, int[] j, float[] v)
    {
        var seen = new Dictionary<(int, int), int>(i.Length);
        var keep = new List<int>(i.Length);
        for (int k = 0; k < i.Length; k++)
        {
            if (i[k] == j[k]) throw new ArgumentException($"sparse coupling {k}: spin {i[k]} is coupled to itself (J_ii is not allowed)");
            var key = (Math.Min(i[k], j[k]), Math.Max(i[k], j[k]));
            if (seen.TryGetValue(key, out int first))
            {
                bool mirrored = i[first] == j[k] && j[first] == i[k];
                if (!mirrored) throw new ArgumentException($"sparse coupling: pair ({key.Item1}, {key.Item2}) is listed twice");
                if (v[first] != v[k]) throw new ArgumentException($"sparse coupling: non-symmetric couplings J[{i[first]},{j[first]}] = {v[first]} and J[{i[k]},{j[k]}] = {v[k]}");
                continue; // symmetric listing: keep the first
            }
            seen.Add(key, k);
            keep.Add(k);
        }
        if (keep.Count == i.Length) return (i, j, v);
        return (keep.Select(k => i[k]).ToArray(), keep.Select(k => j[k]).ToArray(), keep.Select(k => v[k]).ToArray());
    }

    internal override void Validate(IReadOnlyList<SpinLayer> layers, int spinCount, int index)
    {
        for (int k = 0; k < I.Length; k++)
        {
            if ((uint)I[k] >= (uint)spinCount || (uint)J[k] >= (uint)spinCount)
                throw new ArgumentException($"coupling {index} (sparse), pair {k}: spin index ({I[k]}, {J[k]}) out of range (program has {spinCount} spins)");
            if (!float.IsFinite(Value[k]))
                throw new ArgumentException($"coupling {index} (sparse), pair ({I[k]}, {J[k]}): value {Value[k]} is not finite");
        }
    }

    /// <inheritdoc/>
    public override void ForEachPair(IReadOnlyList<SpinLayer> layers, ReadOnlySpan<int> layerOffsets, Action<int, int, float> add)
    {
        for (int k = 0; k < I.Length; k++) add(I[k], J[k], Value[k]);
    }

    /// <inheritdoc/>
    public override long PairCount(IReadOnlyList<SpinLayer> layers) => I.Length;
}
