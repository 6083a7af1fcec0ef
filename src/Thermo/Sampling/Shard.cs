namespace Thermo.Sampling;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/>: a contiguous share of the (input, chain) work items,
/// input-major. Every chain's random numbers are keyed by its own coordinates, and observers reduce with exact
/// integer sums, so shards merged in any order equal the unsharded run bit for bit.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole run.</summary>
    public static Shard All => new(0, 1);

    /// <summary>Items [start, end) of <paramref name="items"/> that belong to this shard.</summary>
    public (int Start, int End) Range(int items)
    {
        Validate();
        return ((int)((long)items * Index / Count), (int)((long)items * (Index + 1) / Count));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless 0 ≤ Index &lt; Count.</summary>
    public void Validate()
    {
        if (Count < 1 || Index < 0 || Index >= Count) throw new ArgumentException($"shard {Index}/{Count}: need 0 ≤ i < N");
    }

    /// <summary>Parses "i/N".</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out int i) ||
            !int.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out int n))
            throw new ArgumentException($"--shard '{text}': expected i/N, e.g. 0/4");
        var s = new Shard(i, n);
        s.Validate();
        return s;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
