namespace Thermo.Sampling;

/// <summary>
/// Sign-average readout: for each (input, chain), the time average m = (1/G) Σ_g s(g) of the chosen layers
/// over the G samples, and its sign (ties → +1) — the binarised output one Ising block clamps as the next
/// block's input. Also the chain-averaged readout per input. Sums are exact integers.
/// </summary>
public sealed class SignAverageObserver(params int[] layers) : Observer
{
    LayerSelection? selection;
    int chains;
    int[] sums = [];
    int[] counts = [];
    sbyte[][] scratch = [];

    /// <summary>Observed layers.</summary>
    public IReadOnlyList<int> Layers => selection?.Layers ?? layers;
    /// <summary>Spins per chain in the observed layers.</summary>
    public int Size => selection?.Size ?? 0;

    /// <inheritdoc/>
    public override void Begin(SamplingContext context)
    {
        selection = new LayerSelection(context.Program, layers);
        chains = context.Chains;
        sums = new int[checked(context.Request.Items * selection.Size)];
        counts = new int[context.Request.Items];
        scratch = new sbyte[context.Workers][];
        for (int w = 0; w < context.Workers; w++) scratch[w] = new sbyte[selection.Size];
    }

    /// <inheritdoc/>
    public override void Observe(int worker, in ChainView view)
    {
        var s = scratch[worker];
        selection!.Read(view, s);
        int item = view.InputSlot * chains + view.Chain, n = s.Length;
        var acc = sums.AsSpan(item * n, n);
        for (int i = 0; i < n; i++) acc[i] += s[i];
        counts[item]++;
    }

    /// <summary>Adds sums reduced elsewhere (the device sampler's) to item <paramref name="item"/>: its Σ_g s(g) and sample count.</summary>
    internal Span<int> ItemSums(int item) => sums.AsSpan(item * Size, Size);

    internal void AddSamples(int item, int count) => counts[item] += count;

    /// <summary>Σ_g s(g) of chain (slot, chain).</summary>
    public ReadOnlySpan<int> Sums(int slot, int chain) => sums.AsSpan((slot * chains + chain) * Size, Size);

    /// <summary>Samples observed for chain (slot, chain).</summary>
    public int Count(int slot, int chain) => counts[slot * chains + chain];

    /// <summary>Time average m of chain (slot, chain).</summary>
    public float[] Average(int slot, int chain)
    {
        var s = Sums(slot, chain);
        int g = Count(slot, chain);
        var m = new float[s.Length];
        for (int i = 0; i < m.Length; i++) m[i] = (float)s[i] / g;
        return m;
    }

    /// <summary>sign(m) of chain (slot, chain), ties → +1.</summary>
    public sbyte[] Sign(int slot, int chain)
    {
        var s = Sums(slot, chain);
        var r = new sbyte[s.Length];
        for (int i = 0; i < r.Length; i++) r[i] = s[i] >= 0 ? (sbyte)1 : (sbyte)-1;
        return r;
    }

    /// <summary>Average over the chains of input <paramref name="slot"/> of the time averages (every chain weighs its sample count).</summary>
    public float[] Readout(int slot)
    {
        var m = new float[Size];
        Readout(slot, m);
        return m;
    }

    /// <summary>
    /// <see cref="Readout(int)"/> into <paramref name="destination"/> (length <see cref="Size"/>) without allocating:
    /// evaluation reads every example of every batch, and per-example arrays of a wide block are large-object garbage.
    /// </summary>
    public void Readout(int slot, Span<float> destination)
    {
        if (destination.Length != Size) throw new ArgumentException($"destination has {destination.Length} elements, the readout {Size}");
        long g = 0;
        for (int c = 0; c < chains; c++) g += Count(slot, c);
        int first = slot * chains * Size;
        for (int i = 0; i < Size; i++)
        {
            long total = 0;
            for (int c = 0; c < chains; c++) total += sums[first + c * Size + i];
            destination[i] = (float)((double)total / g);
        }
    }
}
